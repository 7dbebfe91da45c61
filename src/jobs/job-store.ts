// Jobs as the status API shows them: pg-boss's job table joined with our job_records (owner, progress); progress writes.
import { sql } from "drizzle-orm";
import type { Executor } from "../db/index.js";
import { queryRows } from "../db/index.js";
import { jobRecords } from "../db/schema/index.js";
import { publishEvent } from "../realtime/publish.js";
import { rooms } from "../realtime/rooms.js";

/** The states the API shows, in place of pg-boss's `created` and `retry`. */
export const jobStates = ["queued", "active", "retrying", "completed", "failed", "cancelled"] as const;
export type JobState = (typeof jobStates)[number];

const fromBoss: Record<string, JobState> = {
	created: "queued",
	retry: "retrying",
	active: "active",
	completed: "completed",
	failed: "failed",
	cancelled: "cancelled",
};
const toBoss = Object.fromEntries(Object.entries(fromBoss).map(([boss, ours]) => [ours, boss])) as Record<
	JobState,
	string
>;

export interface JobProgress {
	done: number;
	total: number;
	message: string | null;
}

export interface JobView {
	id: string;
	name: string;
	state: JobState;
	progress: JobProgress | null;
	/** Runs started so far, the one under way included. */
	attempts: number;
	maxAttempts: number;
	createdAt: Date;
	startedAt: Date | null;
	completedAt: Date | null;
	/** The last failure's message (never its stack), while retrying and once failed. */
	error: string | null;
	/** What the handler returned, once completed. */
	output: unknown;
	requestedBy: number | null;
}

export interface JobListFilter {
	/** Only the jobs this user caused. */
	requestedBy?: number;
	state?: JobState;
	name?: string;
	limit: number;
	offset: number;
}

export interface KindStats {
	queued: number;
	active: number;
	retrying: number;
	completed: number;
	failed: number;
	cancelled: number;
	/** Seconds the oldest due queued job has waited; null when none waits. */
	oldestQueuedSeconds: number | null;
}

interface JobRow extends Record<string, unknown> {
	id: string;
	name: string;
	state: string;
	retry_limit: number;
	retry_count: number;
	created_on: Date;
	started_on: Date | null;
	completed_on: Date | null;
	output: unknown;
	requested_by: number | null;
	progress_done: number | null;
	progress_total: number | null;
	progress_message: string | null;
}

const columns = sql.raw(`j.id, j.name, j.state::text as state, j.retry_limit, j.retry_count, j.created_on, j.started_on,
	j.completed_on, j.output, r.requested_by, r.progress_done, r.progress_total, r.progress_message`);

/** A handler's error is stored as `{ message, … }`; pg-boss's own (heartbeat lost, timed out) as `{ value: { message } }`. */
function errorMessage(output: unknown): string | null {
	if (typeof output !== "object" || output === null) return null;
	const { message, value } = output as { message?: unknown; value?: unknown };
	if (typeof message === "string") return message;
	if (typeof value === "object" && value !== null && typeof (value as { message?: unknown }).message === "string") {
		return (value as { message: string }).message;
	}
	return "the job failed";
}

function toView(row: JobRow): JobView {
	const state = fromBoss[row.state] ?? "failed";
	const failedOrRetrying = state === "failed" || state === "retrying";
	return {
		id: row.id,
		name: row.name,
		state,
		progress:
			row.progress_done === null || row.progress_total === null
				? null
				: { done: row.progress_done, total: row.progress_total, message: row.progress_message },
		attempts: row.started_on === null ? 0 : row.retry_count + 1,
		maxAttempts: row.retry_limit + 1,
		createdAt: new Date(row.created_on),
		startedAt: row.started_on === null ? null : new Date(row.started_on),
		completedAt: row.completed_on === null ? null : new Date(row.completed_on),
		error: failedOrRetrying ? errorMessage(row.output) : null,
		output: state === "completed" ? (row.output ?? null) : null,
		requestedBy: row.requested_by,
	};
}

export function createJobStore(db: Executor) {
	return {
		async find(jobId: string): Promise<JobView | null> {
			const [row] = await queryRows<JobRow>(
				db,
				sql`select ${columns} from pgboss.job j left join ${jobRecords} r on r.job_id = j.id where j.id = ${jobId}::uuid`,
			);
			return row === undefined ? null : toView(row);
		},

		async list(filter: JobListFilter): Promise<{ jobs: JobView[]; total: number }> {
			const conditions = [sql`true`];
			if (filter.requestedBy !== undefined) conditions.push(sql`r.requested_by = ${filter.requestedBy}`);
			if (filter.state !== undefined) conditions.push(sql`j.state = ${toBoss[filter.state]}::pgboss.job_state`);
			if (filter.name !== undefined) conditions.push(sql`j.name = ${filter.name}`);
			const where = sql.join(conditions, sql` and `);
			const from = filter.requestedBy === undefined ? sql`left join` : sql`join`;
			const rows = await queryRows<JobRow>(
				db,
				sql`select ${columns} from pgboss.job j ${from} ${jobRecords} r on r.job_id = j.id where ${where}
					order by j.created_on desc, j.id limit ${filter.limit} offset ${filter.offset}`,
			);
			const [count] = await queryRows<{ total: number }>(
				db,
				sql`select count(*)::int as total from pgboss.job j ${from} ${jobRecords} r on r.job_id = j.id where ${where}`,
			);
			return { jobs: rows.map(toView), total: count?.total ?? 0 };
		},

		/** Live counts (pg-boss's own queue statistics are refreshed only by its monitor). */
		async stats(kinds: readonly string[]): Promise<Record<string, KindStats>> {
			const rows = await queryRows<{ name: string; state: string; count: number; oldest: number | null }>(
				db,
				sql`select name, state::text as state, count(*)::int as count,
					extract(epoch from now() - min(created_on) filter (where state = 'created' and start_after <= now()))::float8 as oldest
					from pgboss.job group by name, state`,
			);
			const stats: Record<string, KindStats> = {};
			for (const kind of kinds) {
				stats[kind] = {
					queued: 0,
					active: 0,
					retrying: 0,
					completed: 0,
					failed: 0,
					cancelled: 0,
					oldestQueuedSeconds: null,
				};
			}
			for (const row of rows) {
				const entry = stats[row.name];
				const state = fromBoss[row.state];
				if (entry === undefined || state === undefined) continue;
				entry[state] = row.count;
				if (state === "queued" && row.oldest !== null) entry.oldestQueuedSeconds = Math.max(0, Math.round(row.oldest));
			}
			return stats;
		},

		/**
		 * Stores a running job's progress and tells the user who caused it (`job.progress`), in one transaction; false
		 * when the job is no longer active (cancelled, or expired meanwhile): then nothing is stored or published.
		 */
		saveProgress(jobId: string, kind: string, done: number, total: number, message: string | null) {
			return db.transaction(async (tx) => {
				// One statement: a cancelled (or expired) job's progress is left as it was. It returns the owner, so that
				// the event costs no second read.
				const rows = await queryRows<{ requested_by: number | null }>(
					tx,
					sql`insert into ${jobRecords} (job_id, kind, progress_done, progress_total, progress_message, progress_at)
						select ${jobId}::uuid, ${kind}, ${done}, ${total}, ${message}, now()
						where exists (select 1 from pgboss.job where name = ${kind} and id = ${jobId}::uuid and state = 'active')
						on conflict (job_id) do update set progress_done = excluded.progress_done,
							progress_total = excluded.progress_total, progress_message = excluded.progress_message,
							progress_at = excluded.progress_at
						returning requested_by`,
				);
				const [row] = rows;
				if (row === undefined) return false;
				if (row.requested_by !== null) {
					await publishEvent(tx, {
						type: "job.progress",
						audience: [rooms.user(row.requested_by)],
						data: { jobId, kind, done, total, message },
					});
				}
				return true;
			});
		},
	};
}

export type JobStore = ReturnType<typeof createJobStore>;
