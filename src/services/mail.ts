// Outgoing mail: written to the mail_outbox table (the record tests and tools read) with a `mail.deliver` job in the same
// transaction; the worker hands it to a transport (SMTP, or a log line when SMTP_URL is unset) and marks it sent.
import type { Logger } from "pino";
import type { Executor } from "../db/index.js";
import { mailOutbox } from "../db/schema/index.js";
import { mailDeliverJob } from "../jobs/kinds.js";
import type { JobQueue } from "../jobs/queue.js";
import type { Clock } from "./settings.js";

export interface Mail {
	recipient: string;
	userId?: number | null;
	kind: "password.reset" | "guild.invitation";
	subject: string;
	/** May carry a single-use token: it goes to the outbox and the transport, never to a log line. */
	body: string;
}

/** An outbox row as a transport receives it: the id and creation time make its stable Message-ID. */
export interface StoredMail {
	id: number;
	recipient: string;
	kind: string;
	subject: string;
	/** May carry a single-use token: never logged. */
	body: string;
	createdAt: Date;
}

/** Delivers one stored mail; throws when it could not (the job is retried). Stops early when `signal` aborts. */
export type MailTransport = (mail: StoredMail, options: { signal: AbortSignal }) => Promise<void>;

/**
 * The transport when SMTP_URL is unset: logs the mail without its body (which holds the token); a developer reads it
 * with `select body from mail_outbox where id = …`.
 */
export function logTransport(logger: Logger): MailTransport {
	return async (mail) => {
		logger.info(
			{ outboxId: mail.id, recipient: mail.recipient, kind: mail.kind, subject: mail.subject },
			"mail not sent (SMTP_URL is unset): read it in the outbox",
		);
	};
}

export function createMailer(jobs: JobQueue, now: Clock) {
	return {
		/** Stores the mail and its delivery job with the caller's executor, so both commit with what the mail announces. */
		/**
		 * `requestedBy` owns the delivery job (sees it in GET /api/jobs): by default the recipient's account, for an
		 * invitation the member who sent it.
		 */
		async send(executor: Executor, mail: Mail, options: { requestedBy?: number | null } = {}): Promise<void> {
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
			await jobs.enqueue(
				mailDeliverJob,
				{ outboxId: row.id },
				{
					executor,
					requestedBy: options.requestedBy === undefined ? (mail.userId ?? null) : options.requestedBy,
				},
			);
		},
	};
}

export type Mailer = ReturnType<typeof createMailer>;
