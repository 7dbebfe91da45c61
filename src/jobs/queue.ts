// The background-job queue: pg-boss on the app's database (PGlite through its adapter, PostgreSQL through pg-boss's own
// pool), with the app's job kinds, transactional enqueue, progress, and the worker loop around each kind's handler.
//
// PGlite has one connection. Inside a Drizzle transaction every pg-boss call must go through that transaction
// (`fromDrizzle(tx, sql)`): one that went to the main connection would wait for the transaction to end, forever. So
// enqueue always runs on the caller's executor, and every queue is created (and cached by pg-boss) at start, never
// looked up from inside a transaction.
import { randomUUID } from "node:crypto";
import { type SQL, sql } from "drizzle-orm";
import { type Db, fromDrizzle, fromPglite, type JobWithMetadata, PgBoss } from "pg-boss";
import PgBossPool from "pg-boss/dist/db.js";
import type { Logger } from "pino";
import type { z } from "zod";
import { type DatabaseHandle, type Executor, withSchemaLock } from "../db/index.js";
import { jobRecords } from "../db/schema/index.js";
import { publishEvent } from "../realtime/publish.js";
import { rooms } from "../realtime/rooms.js";
import type { JobKind, Payload, PayloadInput } from "./job-kind.js";
import { createJobStore, type JobStore } from "./job-store.js";

/** A payload that does not match its kind's schema: the enqueue is refused, nothing is written. */
export class JobPayloadError extends Error {
	constructor(
		public readonly kind: string,
		public readonly issues: readonly string[],
	) {
		super(`invalid payload for job "${kind}": ${issues.join("; ")}`);
		this.name = "JobPayloadError";
	}
}

/**
 * Thrown by a handler for a failure no retry can cure (a recipient the mail server refuses): the job is `failed` at
 * once with this message, its remaining retries skipped. Any other error is retried.
 */
export class PermanentJobError extends Error {
	constructor(message: string, options?: ErrorOptions) {
		super(message, options);
		this.name = "PermanentJobError";
	}
}

/** Thrown out of `progress()` once the job has been cancelled: the handler stops where it is. */
export class JobCancelledError extends Error {
	constructor(public readonly jobId: string) {
		super(`job ${jobId} was cancelled`);
		this.name = "JobCancelledError";
	}
}

export interface EnqueueOptions {
	/** The caller's transaction (or the database): the job exists only if it commits. Default: the queue's database. */
	executor?: Executor;
	/** The user who caused the job: the status API shows it to them (and to platform admins). */
	requestedBy?: number | null;
	/** Not before this time (a Date) or this many seconds from now. */
	startAfter?: Date | number;
	/** Overrides the kind's priority. */
	priority?: number;
}

export interface JobContext<K extends JobKind> {
	readonly id: string;
	readonly payload: Payload<K>;
	/** 1 on the first run, 2 on the first retry… */
	readonly attempt: number;
	readonly maxAttempts: number;
	/** Aborted when the run passes the kind's timeout, when the worker stops past its grace period, or on cancel. */
	readonly signal: AbortSignal;
	readonly logger: Logger;
	/** Stores the progress the status API shows; throws JobCancelledError when the job has been cancelled meanwhile. */
	progress(done: number, total: number, message?: string): Promise<void>;
}

export type JobHandler<K extends JobKind> = (context: JobContext<K>) => Promise<unknown>;

export interface JobQueueOptions {
	handle: DatabaseHandle;
	/** Connections of pg-boss's pool on PostgreSQL. Default 4. */
	poolSize?: number;
	logger: Logger;
	kinds: readonly JobKind[];
	/**
	 * `api` only enqueues and reads; `worker` also supervises (expired jobs, dead workers, retention) and fires cron
	 * schedules. Several of each may share a database; pg-boss elects one supervisor and one cron tick at a time.
	 */
	role: "api" | "worker";
	/** How often workers look for jobs whose worker died or whose run expired, in seconds. Default 5. */
	superviseSeconds?: number;
	/** How often a worker polls when no notification woke it, in seconds. Default 2. */
	pollSeconds?: number;
	/** Shown in pg-boss's instance registry. */
	instanceName?: string;
}

export interface StopOptions {
	/** Wait for running jobs this long, in milliseconds; past it they are failed (and retried later). Default 30 s. */
	timeoutMs?: number;
}

/** Heartbeat of every running job: a worker killed mid-job is noticed within this plus one supervise interval. */
const heartbeatSeconds = 10;

export interface JobQueue {
	readonly kinds: readonly JobKind[];
	readonly store: JobStore;
	/** Installs or migrates pg-boss's schema, creates every kind's queue (settings kept up to date). */
	start(): Promise<void>;
	/** Validates the payload, writes the job (and its owner) with `executor`; null when a singleton kind already waits. */
	enqueue<K extends JobKind>(kind: K, payload: PayloadInput<K>, options?: EnqueueOptions): Promise<string | null>;
	/** Cancels a job that has not finished: `cancelled`, `finished` (already completed, failed or cancelled) or `missing`. */
	cancel(jobId: string): Promise<"cancelled" | "finished" | "missing">;
	/** Runs `handler` for this kind's jobs in this process, `concurrency` at a time. */
	work<K extends JobKind>(kind: K, handler: JobHandler<K>, options?: { concurrency?: number }): Promise<void>;
	/** Creates one job per cron tick (UTC) across every worker of the database; replaces an earlier schedule. */
	schedule<K extends JobKind>(kind: K, cron: string, payload: PayloadInput<K>): Promise<void>;
	unschedule(kind: JobKind): Promise<void>;
	/** Stops taking jobs, lets running ones finish (up to `timeoutMs`), stops pg-boss. Safe to call twice. */
	stop(options?: StopOptions): Promise<void>;
}

function parsePayload<K extends JobKind>(kind: K, payload: unknown): Payload<K> {
	const parsed = (kind.payload as z.ZodType).safeParse(payload);
	if (!parsed.success) {
		throw new JobPayloadError(
			kind.name,
			parsed.error.issues.map((issue) =>
				issue.path.length > 0 ? `${issue.path.join(".")}: ${issue.message}` : issue.message,
			),
		);
	}
	return parsed.data as Payload<K>;
}

/**
 * pg-boss's own pool, whose LISTEN connection (the wake-up of workers when a job is sent) goes to `listenUrl`
 * (DATABASE_LISTEN_URL): through PgBouncer in transaction mode it would be lost, and pg-boss would reconnect it every
 * heartbeat. The statements still go through the pool's URL. pg-boss's listener opens `new pg.Client({ ...this.config })`
 * at each (re)connection: it runs here unchanged, on a view of this pool whose config names the direct URL.
 */
class DirectListenPool extends PgBossPool {
	constructor(
		config: ConstructorParameters<typeof PgBossPool>[0],
		private readonly listenUrl: string,
	) {
		super(config);
	}

	override listen(...args: Parameters<PgBossPool["listen"]>): ReturnType<PgBossPool["listen"]> {
		const config = (this as unknown as { config: object }).config;
		const direct = Object.create(this, { config: { value: { ...config, connectionString: this.listenUrl } } });
		return PgBossPool.prototype.listen.apply(direct, args);
	}
}

export function createJobQueue(options: JobQueueOptions): JobQueue {
	const { handle, logger, kinds, role } = options;
	const byName = new Map(kinds.map((kind) => [kind.name, kind]));
	const superviseSeconds = options.superviseSeconds ?? 5;
	const boss =
		handle.driver.engine === "pglite"
			? new PgBoss({
					backend: "pglite",
					db: fromPglite(handle.driver.client),
					supervise: role === "worker",
					schedule: role === "worker",
					superviseIntervalSeconds: superviseSeconds,
					monitorIntervalSeconds: superviseSeconds,
					instanceName: options.instanceName,
				})
			: new PgBoss({
					// pg-boss's own small pool on the same database: it needs session features postgres.js's pool does not share.
					db: new DirectListenPool(
						{
							connectionString: handle.driver.url,
							max: options.poolSize ?? 4,
							application_name: `dofus-manager-jobs-${role}`,
						},
						handle.driver.listenUrl,
					),
					supervise: role === "worker",
					schedule: role === "worker",
					superviseIntervalSeconds: superviseSeconds,
					monitorIntervalSeconds: superviseSeconds,
					useListenNotify: true,
					instanceName: options.instanceName,
				});
	// pg-boss reports failed maintenance and polling here; without a listener an EventEmitter error would crash the process.
	boss.on("error", (error) => logger.error({ err: error }, "job queue error"));
	boss.on("warning", (warning) => logger.warn({ warning }, "job queue warning"));

	const store = createJobStore(handle.db);
	let state: "new" | "starting" | "started" | "stopping" | "stopped" = "new";
	let starting: Promise<void> | undefined;
	let stopping: Promise<void> | undefined;
	const running = new Set<AbortController>();

	const assertStarted = () => {
		if (state !== "started") throw new Error(`the job queue is ${state === "new" ? "not started" : state}`);
	};

	async function start(): Promise<void> {
		state = "starting";
		// pg-boss installs under a lock of its own, but its install can still fail when N processes start on an empty
		// database: the one that waited runs `CREATE SCHEMA IF NOT EXISTS pgboss` with a catalog cache that had seen no
		// such schema, and takes the unique violation for a failure. Under the schema lock its statements run after the
		// previous start committed, in transactions of their own (fresh caches), and find the schema installed.
		if (handle.engine === "postgres") await withSchemaLock(handle, () => boss.start());
		else await boss.start();
		for (const kind of kinds) {
			const settings = {
				retryLimit: kind.retryLimit,
				retryDelay: kind.retryDelaySeconds,
				retryBackoff: kind.retryBackoff,
				...(kind.retryBackoff ? { retryDelayMax: kind.retryDelayMaxSeconds } : {}),
				expireInSeconds: kind.timeoutSeconds,
				deleteAfterSeconds: kind.keepSeconds,
				notify: true,
			};
			await boss.createQueue(kind.name, {
				...settings,
				policy: kind.singleton ? "stately" : "standard",
				heartbeatSeconds,
			});
			// createQueue leaves an existing queue as it is: a kind whose settings changed in code is updated here.
			await boss.updateQueue(kind.name, { ...settings, heartbeatSeconds });
		}
		state = "started";
	}

	const queue: JobQueue = {
		kinds,
		store,
		start() {
			starting ??= start();
			return starting;
		},

		async enqueue(kind, payload, enqueueOptions = {}) {
			assertStarted();
			if (byName.get(kind.name) !== kind) throw new Error(`job kind "${kind.name}" is not one of this queue's kinds`);
			const data = parsePayload(kind, payload) as object;
			const executor = enqueueOptions.executor ?? handle.db;
			const id = randomUUID();
			return executor.transaction(async (tx) => {
				const sent = await boss.send(kind.name, data, {
					id,
					priority: enqueueOptions.priority ?? kind.priority,
					...(enqueueOptions.startAfter === undefined ? {} : { startAfter: enqueueOptions.startAfter }),
					...(kind.singleton ? { singletonKey: kind.name } : {}),
					db: transactionDatabase(tx),
				});
				if (sent === null) return null;
				if (enqueueOptions.requestedBy !== undefined && enqueueOptions.requestedBy !== null) {
					await tx.insert(jobRecords).values({ jobId: sent, kind: kind.name, requestedBy: enqueueOptions.requestedBy });
				}
				return sent;
			});
		},

		async cancel(jobId) {
			assertStarted();
			const job = await store.find(jobId);
			if (job === null) return "missing";
			if (job.state === "completed" || job.state === "failed" || job.state === "cancelled") return "finished";
			await boss.cancel(job.name, jobId);
			// pg-boss cancels only what has not finished; the job may have completed since it was read.
			const after = await store.find(jobId);
			return after?.state === "cancelled" ? "cancelled" : "finished";
		},

		async work(kind, handler, workOptions = {}) {
			assertStarted();
			// One pg-boss worker per unit of concurrency, each knowing its own id: after a job it wakes itself, so that it
			// fetches the next one at once instead of waiting out a poll interval (a backlog would otherwise drain at one
			// job per worker per interval). An empty fetch still waits the interval.
			for (let slot = 0; slot < (workOptions.concurrency ?? 1); slot += 1) {
				let workerId: string | undefined;
				workerId = await boss.work(
					kind.name,
					{
						includeMetadata: true,
						perJobResults: true,
						batchSize: 1,
						pollingIntervalSeconds: options.pollSeconds ?? 2,
						// A notification wakes a worker for new jobs only: retries and delayed jobs are found by polling, which
						// pg-boss would otherwise slow to every 30 s once notifications work.
						notifyPollingIntervalSeconds: options.pollSeconds ?? 2,
					},
					async (jobs: JobWithMetadata<unknown>[]) => {
						const results = [];
						for (const job of jobs) results.push(await run(kind, handler, job));
						if (jobs.length > 0 && workerId !== undefined) boss.notifyWorker(workerId);
						return results;
					},
				);
			}
		},

		async schedule(kind, cron, payload) {
			assertStarted();
			await boss.schedule(kind.name, cron, parsePayload(kind, payload) as object, { tz: "UTC" });
		},

		async unschedule(kind) {
			assertStarted();
			await boss.unschedule(kind.name);
		},

		stop(stopOptions = {}) {
			stopping ??= (async () => {
				await starting?.catch(() => {});
				if (state === "new") {
					state = "stopped";
					return;
				}
				state = "stopping";
				const timeoutMs = stopOptions.timeoutMs ?? 30_000;
				// pg-boss stops fetching, waits for running handlers up to the timeout, then fails what is left so it is retried.
				const aborter = setTimeout(() => {
					for (const controller of running) controller.abort(new Error("the worker is stopping"));
				}, timeoutMs);
				try {
					await boss.stop({ graceful: true, timeout: timeoutMs, close: true });
				} finally {
					clearTimeout(aborter);
					state = "stopped";
				}
			})();
			return stopping;
		},
	};

	async function run<K extends JobKind>(kind: K, handler: JobHandler<K>, job: JobWithMetadata<unknown>) {
		const jobLogger = logger.child({ job: { id: job.id, kind: kind.name, attempt: job.retryCount + 1 } });
		const parsed = (kind.payload as z.ZodType).safeParse(job.data);
		if (!parsed.success) {
			// A payload that does not parse never will: failed at once, not retried.
			const message = `invalid payload: ${parsed.error.issues.map((issue) => issue.message).join("; ")}`;
			jobLogger.error({ issues: parsed.error.issues }, "job payload rejected");
			await settle(kind, job, jobLogger, { outcome: "failed", reason: { message }, terminal: true });
			return { id: job.id, status: "deadletter" as const, output: { message } };
		}
		const controller = new AbortController();
		running.add(controller);
		const signal = AbortSignal.any([job.signal, controller.signal]);
		const started = performance.now();
		let output: object | undefined;
		try {
			output = toOutput(
				await handler({
					id: job.id,
					payload: parsed.data as Payload<K>,
					attempt: job.retryCount + 1,
					maxAttempts: job.retryLimit + 1,
					signal,
					logger: jobLogger,
					async progress(done, total, message) {
						if (!Number.isInteger(done) || !Number.isInteger(total) || done < 0 || total < 0) {
							throw new TypeError(`progress(${done}, ${total}): both must be whole numbers ≥ 0`);
						}
						const stillRunning = await store.saveProgress(
							job.id,
							kind.name,
							done,
							total,
							message?.slice(0, 500) ?? null,
						);
						if (!stillRunning) {
							controller.abort(new JobCancelledError(job.id));
							throw new JobCancelledError(job.id);
						}
					},
				}),
			);
		} catch (error) {
			if (error instanceof JobCancelledError) {
				jobLogger.info("job cancelled while running");
				// Already cancelled: pg-boss's settle of this finds the job no longer active and leaves it. No event: the
				// cancel is no failure, and the request that cancelled it has its answer.
				return { id: job.id, status: "completed" as const, output: { cancelled: true } };
			}
			if (error instanceof PermanentJobError) {
				jobLogger.error({ err: error }, "job failed for good");
				await settle(kind, job, jobLogger, { outcome: "failed", reason: { message: error.message }, terminal: true });
				// `deadletter` on a queue without a dead-letter queue: failed at once, no retry.
				return { id: job.id, status: "deadletter" as const, output: { message: error.message } };
			}
			jobLogger.warn({ err: error, ms: Math.round(performance.now() - started) }, "job failed");
			await settle(kind, job, jobLogger, { outcome: "failed", reason: error, terminal: false });
			return { id: job.id, status: "failed" as const, output: error };
		} finally {
			running.delete(controller);
		}
		jobLogger.info({ ms: Math.round(performance.now() - started) }, "job completed");
		await settle(kind, job, jobLogger, { outcome: "completed", output });
		return { id: job.id, status: "completed" as const, output };
	}

	/**
	 * Settles this attempt of the job and tells the user who caused it, in one transaction: a client that reacts to
	 * `job.completed` or `job.failed` by reading the job sees it completed or failed. The call is fenced to the attempt
	 * (`{ id, retryCount }`): a job cancelled, expired or failed by pg-boss meanwhile is left as it is, and nothing is
	 * published. The disposition `run` then returns to pg-boss is the same; its own settle, fenced the same way (active
	 * at this retry count), finds the job settled already and does nothing. Should this transaction fail, pg-boss's
	 * settle still lands: the job ends as it should, only without its event.
	 */
	async function settle(
		kind: JobKind,
		job: JobWithMetadata<unknown>,
		jobLogger: Logger,
		result:
			| { outcome: "completed"; output: object | undefined }
			| { outcome: "failed"; reason: unknown; terminal: boolean },
	): Promise<void> {
		const attempt = { id: job.id, retryCount: job.retryCount };
		try {
			await handle.db.transaction(async (tx) => {
				const db = transactionDatabase(tx);
				if (result.outcome === "completed") {
					const response = await boss.complete(kind.name, attempt, result.output ?? null, { db });
					if (!landed(response)) return;
				} else {
					// pg-boss's public fail() retries while retries are left; its terminal fail (the `deadletter` result)
					// is not public. Spending the retries first makes fail() terminal, in the very statement pg-boss runs.
					if (result.terminal) await setRetryLimit(tx, kind, job, sql`retry_count`, "active");
					const response = await boss.fail(kind.name, attempt, result.reason as object, { db });
					if (!landed(response)) return;
					// Put back, so that the status API still shows how many attempts the job had.
					if (result.terminal) await setRetryLimit(tx, kind, job, sql`${job.retryLimit}`, "failed");
				}
				const view = await createJobStore(tx).find(job.id);
				if (view === null || view.requestedBy === null) return;
				const audience = [rooms.user(view.requestedBy)];
				if (view.state === "completed") {
					const data = {
						jobId: job.id,
						kind: kind.name,
						...(result.outcome === "completed" && result.output !== undefined ? { output: result.output } : {}),
					};
					await publishEvent(tx, { type: "job.completed", audience, data });
				} else if (view.state === "failed") {
					// Failed for good (a retry is no news): no retry left, or none allowed.
					const data = { jobId: job.id, kind: kind.name, message: view.error ?? "the job failed" };
					await publishEvent(tx, { type: "job.failed", audience, data });
				}
			});
		} catch (error) {
			jobLogger.error({ err: error }, "job settle failed; pg-boss settles it without an event");
		}
	}

	return queue;
}

/** Sets the retry limit of `job`'s attempt, if it is in `state`: the statement is fenced like pg-boss's own. */
async function setRetryLimit(
	tx: Executor,
	kind: JobKind,
	job: JobWithMetadata<unknown>,
	limit: SQL,
	state: "active" | "failed",
): Promise<void> {
	await tx.execute(
		sql`update pgboss.job set retry_limit = ${limit} where name = ${kind.name} and id = ${job.id}::uuid
			and retry_count = ${job.retryCount} and state = ${state}::pgboss.job_state`,
	);
}

/** Whether a fenced settle changed the job: pg-boss reports it as `affected`, which its types leave out. */
function landed(response: unknown): boolean {
	return (response as { affected?: number }).affected === 1;
}

/** pg-boss's Drizzle adapter, typed for our executors (Drizzle types `execute()`'s result as unknown). */
function transactionDatabase(executor: Executor): Db {
	const adapter = fromDrizzle(executor as unknown as Parameters<typeof fromDrizzle>[0], sql);
	// pg-boss binds a settle's output (and a failure's serialized error) as an object, which node-postgres and PGlite
	// send as JSON; postgres.js refuses one it has no type for. Sent as JSON text, as node-postgres would.
	return { executeSql: (text, values) => adapter.executeSql(text, values?.map(jsonObjectAsText)) };
}

function jsonObjectAsText(value: unknown): unknown {
	const plainObject =
		typeof value === "object" &&
		value !== null &&
		!Array.isArray(value) &&
		!(value instanceof Date) &&
		!ArrayBuffer.isView(value);
	return plainObject ? JSON.stringify(value) : value;
}

/** pg-boss stores the output as JSON: objects as they are, anything else under `value`. */
function toOutput(output: unknown): object | undefined {
	if (output === undefined || output === null) return undefined;
	return typeof output === "object" && !Array.isArray(output) ? output : { value: output };
}
