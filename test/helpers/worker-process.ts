// Runs the compiled entry points (`node dist/worker.js`, `node dist/main.js`) as child processes for multi-process
// job tests and benchmarks: their JSON log lines to wait on, their exit (code or signal), the test's own api-role queue
// on their database, a PostgreSQL database prepared for them, and what their cron schedules produced.
import { type ChildProcessByStdio, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import type { Readable } from "node:stream";
import { sql } from "drizzle-orm";
import { pino } from "pino";
import { type Database, type DatabaseHandle, openDatabase } from "../../src/db/client.js";
import { migrateDatabase } from "../../src/db/migrate.js";
import { queryRows } from "../../src/db/raw.js";
import { seedReferenceData } from "../../src/db/seed/reference.js";
import { jobKinds } from "../../src/jobs/kinds.js";
import { createJobQueue, type JobQueue } from "../../src/jobs/queue.js";
import { installJobSchema } from "../../src/jobs/schema.js";

export interface Exit {
	/** The exit code; null when a signal ended the process. */
	code: number | null;
	signal: NodeJS.Signals | null;
}

/** One line of a process's pino output. */
export type LogLine = Record<string, unknown> & { msg?: string };

export interface AppProcess {
	readonly name: string;
	readonly child: ChildProcessByStdio<null, Readable, Readable>;
	readonly pid: number;
	/** Resolves once the process has exited, with its code or the signal that ended it. */
	readonly exited: Promise<Exit>;
	/** Every log line printed so far (stdout, JSON), in order. */
	lines(): LogLine[];
	/** Everything printed so far, stdout and stderr, for failure messages. */
	output(): string;
	/** The first log line (already printed or still to come) for which `match` holds; rejects on exit or timeout. */
	waitForLog(match: (line: LogLine) => boolean, timeoutMs?: number): Promise<LogLine>;
	/** True until the process has exited. */
	readonly running: boolean;
	/** Sends `signal` (SIGTERM by default) and resolves with the exit. */
	stop(signal?: NodeJS.Signals): Promise<Exit>;
}

/** One key for every process of a test run, so that processes sharing a database read what the others sealed. */
const secretsKey = `worker-test:${randomBytes(32).toString("base64")}`;

/** `node <entry>` with a production environment (JSON logs at info) and `env` on top. */
export function startAppProcess(
	name: string,
	entry: "dist/worker.js" | "dist/main.js",
	env: Record<string, string>,
): AppProcess {
	const child = spawn(process.execPath, [entry], {
		env: {
			...process.env,
			APP_ENV: "PROD",
			PORT: "0",
			LOG_LEVEL: "info",
			DATABASE_URL: "",
			SECRETS_KEY: secretsKey,
			// Nothing scheduled unless the test asks for it: a schedule firing mid-test would add jobs it does not expect.
			DOFUSDB_SYNC_CRON: "off",
			CLEANUP_CRON: "off",
			...env,
		},
		stdio: ["ignore", "pipe", "pipe"],
	});
	let output = "";
	let partial = "";
	const lines: LogLine[] = [];
	const waiters = new Set<() => void>();
	child.stdout.setEncoding("utf8");
	child.stderr.setEncoding("utf8");
	child.stdout.on("data", (chunk: string) => {
		output += chunk;
		partial += chunk;
		const complete = partial.split("\n");
		partial = complete.pop() ?? "";
		for (const text of complete) {
			try {
				lines.push(JSON.parse(text) as LogLine);
			} catch {
				lines.push({ msg: text });
			}
		}
		for (const wake of waiters) wake();
	});
	child.stderr.on("data", (chunk: string) => (output += chunk));
	let running = true;
	const exited = new Promise<Exit>((resolve) =>
		child.once("exit", (code, signal) => {
			running = false;
			resolve({ code, signal });
			for (const wake of waiters) wake();
		}),
	);

	const started: AppProcess = {
		name,
		child,
		pid: child.pid ?? -1,
		exited,
		lines: () => [...lines],
		output: () => output,
		get running() {
			return running;
		},
		waitForLog(match, timeoutMs = 60_000) {
			return new Promise<LogLine>((resolve, reject) => {
				const check = () => {
					const found = lines.find(match);
					if (found !== undefined) return finish(() => resolve(found));
					if (!running)
						return finish(() => reject(new Error(`${name} exited before the expected log line:\n${output}`)));
				};
				const timer = setTimeout(
					() => finish(() => reject(new Error(`${name}: no expected log line within ${timeoutMs} ms:\n${output}`))),
					timeoutMs,
				);
				const finish = (settle: () => void) => {
					clearTimeout(timer);
					waiters.delete(check);
					settle();
				};
				waiters.add(check);
				check();
			});
		},
		async stop(signal = "SIGTERM") {
			if (running) child.kill(signal);
			return exited;
		},
	};
	return started;
}

/** Log lines with this message (pino's `msg`). */
export const message =
	(text: string) =>
	(line: LogLine): boolean =>
		line.msg === text;

/** `node dist/worker.js`; resolves once it logged that it started (its workers and schedules are registered). */
export async function startWorkerProcess(name: string, env: Record<string, string>): Promise<AppProcess> {
	const worker = startAppProcess(name, "dist/worker.js", env);
	await worker.waitForLog(message("Dofus Manager worker started"));
	return worker;
}

/** `node dist/main.js`; resolves with the process and its port once it listens. */
export async function startApiProcess(
	name: string,
	env: Record<string, string>,
): Promise<{ api: AppProcess; port: number }> {
	const api = startAppProcess(name, "dist/main.js", env);
	const line = await api.waitForLog((entry) => String(entry.msg).startsWith("Dofus Manager listening"));
	return { api, port: Number(line.port) };
}

/** Kills (SIGKILL) whatever of `processes` still runs: a failed test leaves nothing behind. */
export async function killAll(processes: Iterable<AppProcess>): Promise<void> {
	await Promise.all([...processes].map((entry) => (entry.running ? entry.stop("SIGKILL") : entry.exited)));
}

/** Polls `probe` every 50 ms until it returns something other than undefined; fails after `timeoutMs`. */
export async function until<T>(
	what: string,
	probe: () => T | undefined | Promise<T | undefined>,
	timeoutMs = 30_000,
): Promise<T> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const value = await probe();
		if (value !== undefined) return value;
		if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
		await new Promise((resolve) => setTimeout(resolve, 50));
	}
}

/** What the test process does on the processes' database, through an api-role queue (it enqueues and reads). */
export type QueueTask<T> = (queue: JobQueue, db: Database) => Promise<T>;

async function withApiQueue<T>(handle: DatabaseHandle, task: QueueTask<T>): Promise<T> {
	const queue = createJobQueue({
		handle,
		kinds: jobKinds,
		logger: pino({ level: "silent" }),
		role: "api",
		poolSize: 1,
	});
	await queue.start();
	try {
		return await task(queue, handle.db);
	} finally {
		await queue.stop({ timeoutMs: 1000 });
	}
}

/** Runs `task` with an api-role queue on the PostgreSQL database at `url`, closed afterwards. */
export async function withPostgresQueue<T>(url: string, task: QueueTask<T>): Promise<T> {
	const handle = await openDatabase({ DATABASE_URL: url, DATABASE_POOL_SIZE: 2, PGLITE_DIR: "memory://" });
	try {
		return await withApiQueue(handle, task);
	} finally {
		await handle.close();
	}
}

/**
 * Runs `task` with an api-role queue on the on-disk PGlite directory, which the test process holds (its lock) for that
 * time only: no app process may run on it meanwhile.
 */
export async function withPgliteQueue<T>(dataDir: string, task: QueueTask<T>): Promise<T> {
	const handle = await openDatabase({ DATABASE_URL: undefined, DATABASE_POOL_SIZE: 1, PGLITE_DIR: dataDir });
	try {
		return await withApiQueue(handle, task);
	} finally {
		await handle.close();
	}
}

/**
 * Migrates and seeds a PostgreSQL database and installs pg-boss's schema, from the test process: processes then start
 * together without racing each other's migrations.
 */
export async function preparePostgresDatabase(url: string): Promise<void> {
	const handle = await openDatabase({ DATABASE_URL: url, DATABASE_POOL_SIZE: 2, PGLITE_DIR: "memory://" });
	try {
		await migrateDatabase(handle);
		await seedReferenceData(handle.db);
		await installJobSchema(handle, pino({ level: "silent" }));
	} finally {
		await handle.close();
	}
}

export interface CronTick {
	/** The 60-second slot pg-boss filed the occurrence in (ms since the epoch, UTC). */
	slot: number;
	/** Forwards through pg-boss's `__pgboss__send-it` queue for this slot: one, whatever the number of workers. */
	forwards: number;
	/** Jobs of the kind created while a forward of this slot ran: one per tick. */
	jobs: number;
	completed: number;
}

/**
 * What a cron schedule of `kind` produced, tick by tick. A cron pass does not send the job itself: it forwards each
 * occurrence through `__pgboss__send-it` (one row per slot, deduplicated across instances), whose handler then sends the
 * job. So a tick's jobs are those created while one of its forwards ran; `strays` counts the jobs of the kind no forward
 * accounts for (older than 10 s, so that a forward still running is not taken for a stray).
 */
export async function cronTicks(db: Database, kind: string): Promise<{ ticks: CronTick[]; strays: number }> {
	const rows = await queryRows<{ slot: string; jobs: number; completed: number }>(
		db,
		sql`select s.data->>'slot' as slot, count(j.id)::int as jobs,
			count(j.id) filter (where j.state = 'completed')::int as completed
			from pgboss.job s
			left join pgboss.job j on j.name = ${kind} and j.created_on between s.started_on and s.completed_on
			where s.name = '__pgboss__send-it' and s.data->>'name' = ${kind}
			group by s.id, 1 order by 1`,
	);
	const ticks = new Map<number, CronTick>();
	for (const row of rows) {
		// Slots are UTC wall time, "YYYY-MM-DD HH:MM:SS".
		const slot = Date.parse(`${row.slot.replace(" ", "T")}Z`);
		const tick = ticks.get(slot) ?? { slot, forwards: 0, jobs: 0, completed: 0 };
		tick.forwards += 1;
		tick.jobs += row.jobs;
		tick.completed += row.completed;
		ticks.set(slot, tick);
	}
	const [strays] = await queryRows<{ count: number }>(
		db,
		sql`select count(*)::int as count from pgboss.job j
			where j.name = ${kind} and j.created_on < now() - interval '10 seconds' and not exists (
				select 1 from pgboss.job s where s.name = '__pgboss__send-it' and s.data->>'name' = ${kind}
				and j.created_on between s.started_on and s.completed_on)`,
	);
	return { ticks: [...ticks.values()], strays: strays?.count ?? 0 };
}
