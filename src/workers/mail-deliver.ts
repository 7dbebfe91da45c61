// The `mail.deliver` job: hands one outbox row to the transport and marks it sent; a re-run never sends a marked row.
import { and, eq, isNull } from "drizzle-orm";
import type { Database } from "../db/index.js";
import { mailOutbox } from "../db/schema/index.js";
import type { mailDeliverJob } from "../jobs/kinds.js";
import { type JobContext, PermanentJobError } from "../jobs/queue.js";
import type { MailTransport } from "../services/mail.js";
import { MailDeliveryError } from "../services/mail-transport.js";
import type { Clock } from "../services/settings.js";

export interface MailDeliverDependencies {
	db: Database;
	transport: MailTransport;
	now: Clock;
}

export type MailDeliverOutput =
	| { outboxId: number; status: "sent" }
	| { outboxId: number; status: "already-sent"; sentAt: string }
	| { outboxId: number; status: "missing" };

export function mailDeliverHandler({ db, transport, now }: MailDeliverDependencies) {
	return async (job: JobContext<typeof mailDeliverJob>): Promise<MailDeliverOutput> => {
		const { outboxId } = job.payload;
		const [mail] = await db
			.select({
				id: mailOutbox.id,
				recipient: mailOutbox.recipient,
				kind: mailOutbox.kind,
				subject: mailOutbox.subject,
				body: mailOutbox.body,
				createdAt: mailOutbox.createdAt,
				sentAt: mailOutbox.sentAt,
			})
			.from(mailOutbox)
			.where(eq(mailOutbox.id, outboxId));
		// The row commits with its job, so a missing one was deleted since: nothing to send, and a retry would not help.
		if (mail === undefined) {
			job.logger.warn({ outboxId }, "outbox row gone: nothing to deliver");
			return { outboxId, status: "missing" };
		}
		// A run that crashed after marking the row (or a duplicate job) must not send it again.
		if (mail.sentAt !== null) return { outboxId, status: "already-sent", sentAt: mail.sentAt.toISOString() };

		// No row lock across the send: on PGlite it would hold the one connection for the whole SMTP exchange. Two runs
		// at once (an expired run still sending) could both send; they carry one Message-ID, so downstream drops one.
		// A failure throws and pg-boss retries with the kind's backoff. Only a refused envelope (the server says the
		// recipient or sender is refused for good, 5xx) fails at once: a retry would be refused again. A wrong SMTP
		// login is a 5xx too, but one the operator fixes: retried, so mail waits rather than being lost.
		try {
			await transport(mail, { signal: job.signal });
		} catch (error) {
			if (error instanceof MailDeliveryError && error.permanent === true && error.code === "EENVELOPE") {
				throw new PermanentJobError(error.message, { cause: error });
			}
			throw error;
		}
		const marked = await db
			.update(mailOutbox)
			.set({ sentAt: now() })
			.where(and(eq(mailOutbox.id, outboxId), isNull(mailOutbox.sentAt)))
			.returning({ id: mailOutbox.id });
		if (marked.length === 0) job.logger.warn({ outboxId }, "outbox row marked sent by another run meanwhile");
		job.logger.info({ outboxId, kind: mail.kind, attempt: job.attempt }, "mail delivered");
		return { outboxId, status: "sent" };
	};
}
