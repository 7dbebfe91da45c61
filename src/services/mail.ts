// Outgoing mail: written to the mail_outbox table (the record tests and tools read), then handed to a transport.
import type { Logger } from "pino";
import type { Executor } from "../db/index.js";
import { mailOutbox } from "../db/schema/index.js";
import type { Clock } from "./settings.js";

export interface Mail {
	recipient: string;
	userId?: number | null;
	kind: "password.reset" | "guild.invitation";
	subject: string;
	/** May carry a single-use token: it goes to the outbox and the transport, never to a log line. */
	body: string;
}

/** Delivers a stored mail; a real SMTP/API transport plugs in here later. */
export type MailTransport = (mail: Mail & { id: number }) => Promise<void>;

/**
 * The DEV transport: logs that a mail is waiting, without its body (which holds the token): a
 * developer reads it with `select body from mail_outbox where id = …`.
 */
export function logTransport(logger: Logger): MailTransport {
	return async (mail) => {
		logger.info(
			{ outboxId: mail.id, recipient: mail.recipient, kind: mail.kind, subject: mail.subject },
			"mail written to the outbox",
		);
	};
}

export function createMailer(transport: MailTransport, now: Clock) {
	return {
		/** Stores the mail with the caller's executor (so it commits with what it announces), then delivers it. */
		async send(executor: Executor, mail: Mail): Promise<void> {
			const [row] = await executor
				.insert(mailOutbox)
				.values({
					recipient: mail.recipient,
					userId: mail.userId ?? null,
					kind: mail.kind,
					subject: mail.subject,
					body: mail.body,
					createdAt: now(),
				})
				.returning({ id: mailOutbox.id });
			if (row === undefined) throw new Error("outbox insert returned no row");
			await transport({ ...mail, id: row.id });
		},
	};
}

export type Mailer = ReturnType<typeof createMailer>;
