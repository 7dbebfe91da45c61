// What pg-boss does not keep about a job: who asked for it (the status API shows a job to them) and its progress.
import { index, integer, pgTable, text, uuid } from "drizzle-orm/pg-core";
import { createdAt, timestamptz } from "./columns.js";
import { users } from "./users.js";

/**
 * One row per job that has an owner or has reported progress; the job itself is pg-boss's (`pgboss.job`, same id).
 * Written in the transaction that enqueues the job, so neither exists without the other. Deleted by the clean-up
 * once pg-boss has dropped the job.
 */
export const jobRecords = pgTable(
	"job_records",
	{
		jobId: uuid("job_id").primaryKey(),
		/** The job kind (`dofusdb.sync`): lets the clean-up and the listing find rows without pg-boss. */
		kind: text("kind").notNull(),
		/** Who caused the job; null for scheduled jobs and for deleted users. */
		requestedBy: integer("requested_by").references(() => users.id, { onDelete: "set null" }),
		progressDone: integer("progress_done"),
		progressTotal: integer("progress_total"),
		progressMessage: text("progress_message"),
		progressAt: timestamptz("progress_at"),
		createdAt: createdAt(),
	},
	(t) => [index("job_records_requested_by_idx").on(t.requestedBy, t.createdAt)],
);
