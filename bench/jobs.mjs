// `npm run bench:jobs`: the background-job queue on a throwaway PostgreSQL. Default mode: jobs per second through one
// worker and enqueue-to-start latency, in short interleaved rounds. `--cron-minutes N`: cron duplicates with two
// `node dist/worker.js` over N minutes. Runs under tsx (`node --import tsx`) to share the test helpers that start
// PostgreSQL, fake DofusDB and worker processes; the queue itself is the compiled one (dist/).
import { existsSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { cpus } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { sql } from "drizzle-orm";
import { pino } from "pino";
import { z } from "zod";
import { startFakeDofusDb } from "../test/helpers/fake-dofusdb.js";
import { startThrowawayPostgres } from "../test/helpers/throwaway-postgres.js";
import { cronTicks, killAll, preparePostgresDatabase, startWorkerProcess } from "../test/helpers/worker-process.js";
import { median, spread } from "./lib/stats.mjs";

const benchDir = fileURLToPath(new URL(".", import.meta.url));
// BENCH_DIST_DIR: another build (a checkout's dist/) to measure in place of this one.
const distDir = process.env.BENCH_DIST_DIR ?? join(benchDir, "..", "dist");
if (!existsSync(join(distDir, "worker.js")))
	throw new Error("dist/worker.js is missing: run `npm run build` first (npm run bench:jobs does).");
const { openDatabase } = await import(join(distDir, "db/client.js"));
const { defineJobKind } = await import(join(distDir, "jobs/job-kind.js"));
const { dofusDbSyncJob, jobKinds } = await import(join(distDir, "jobs/kinds.js"));
const { createJobQueue } = await import(join(distDir, "jobs/queue.js"));

const { values: options } = parseArgs({
	options: {
		rounds: { type: "string", default: "9" },
		duration: { type: "string", default: "5" },
		producers: { type: "string", default: "4" },
		"latency-jobs": { type: "string", default: "100" },
		concurrency: { type: "string", default: "2" },
		fsync: { type: "boolean", default: false },
		"cron-minutes": { type: "string" },
		help: { type: "boolean", default: false },
	},
});
if (options.help) {
	process.stdout.write(`npm run bench:jobs -- [options]
  --rounds N         rounds of three slices: stream, backlog, latency (default 9)
  --duration N       seconds of a stream or backlog slice (default 5)
  --producers N      loops enqueueing one job after another in a stream slice (default 4)
  --latency-jobs N   jobs per latency slice, enqueued one at a time into an idle worker (default 100)
  --concurrency N    the worker's handler slots, as WORKER_CONCURRENCY (default 2)
  --fsync            PostgreSQL with fsync and synchronous commit on (default: off, the queue's own cost)
  --cron-minutes N   instead: two node dist/worker.js on a "* * * * *" schedule for N minutes; ticks and duplicates
`);
	process.exit(0);
}
const positive = (name) => {
	const value = Number(options[name]);
	if (!Number.isInteger(value) || value <= 0) throw new Error(`--${name}: expected a positive integer`);
	return value;
};

const log = (line) => process.stderr.write(`${line}\n`);
const silent = pino({ level: process.env.BENCH_LOG_LEVEL ?? "silent" });
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** The value at quantile q (0..1) of the samples, nearest rank. */
function quantile(values, q) {
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

/** "median [min–max] ±spread/2" of one figure over the rounds. */
function summary(values, digits = 1) {
	return {
		median: median(values),
		min: Math.min(...values),
		max: Math.max(...values),
		spread: spread(values),
		text: `${median(values).toFixed(digits)} [${Math.min(...values).toFixed(digits)}–${Math.max(...values).toFixed(digits)}] ±${((spread(values) / 2) * 100).toFixed(1)} %`,
	};
}

async function writeResults(name, result) {
	const folder = join(benchDir, "results");
	await mkdir(folder, { recursive: true });
	const file = join(folder, `${name}-${new Date().toISOString().replace(/[:.]/g, "-")}.json`);
	await writeFile(file, `${JSON.stringify(result, null, "\t")}\n`);
	log(`results: ${file}`);
}

// ---------------------------------------------------------------------------------------------------
// Throughput and latency: a bench-only job kind, one in-process worker-role queue, one api-role queue that enqueues.

/** A job that does nothing: what is measured is the queue (fetch, run, complete), not a handler. */
const benchJob = defineJobKind({
	name: "bench.noop",
	payload: z.object({ n: z.number().int() }).strict(),
	retryLimit: 0,
	timeoutSeconds: 60,
	keepSeconds: 3600,
});

async function measureQueue() {
	const rounds = positive("rounds");
	const duration = positive("duration");
	const latencyJobs = positive("latency-jobs");
	const concurrency = positive("concurrency");
	const producers = positive("producers");
	const durable = { fsync: "on", synchronous_commit: "on", full_page_writes: "on" };
	log(`starting a throwaway PostgreSQL (fsync ${options.fsync ? "on" : "off"})…`);
	const postgres = await startThrowawayPostgres(options.fsync ? { settings: durable } : {});
	const handles = [];
	const queues = [];
	try {
		const url = await postgres.createDatabase("bench_jobs");
		const open = async () => {
			const handle = await openDatabase({ DATABASE_URL: url, DATABASE_POOL_SIZE: 2, PGLITE_DIR: "memory://" });
			handles.push(handle);
			return handle;
		};
		const api = createJobQueue({
			handle: await open(),
			kinds: [benchJob],
			logger: silent,
			role: "api",
			poolSize: producers + 1,
		});
		queues.push(api);
		await api.start();
		// As `node dist/worker.js` builds its queue (runtime.ts): a pool of concurrency + 2, default poll and supervise.
		const worker = createJobQueue({
			handle: await open(),
			kinds: [benchJob],
			logger: silent,
			role: "worker",
			poolSize: concurrency + 2,
			instanceName: "bench-worker",
		});
		queues.push(worker);
		await worker.start();
		const db = handles[0].db;

		// One handler for every slice: it notes when each job started (and wakes a latency slice waiting for it).
		const startedAt = new Map();
		const waiting = new Map();
		await worker.work(
			benchJob,
			async ({ payload }) => {
				startedAt.set(payload.n, performance.now());
				waiting.get(payload.n)?.();
				waiting.delete(payload.n);
			},
			{ concurrency },
		);
		let next = 0;
		const startsOf = (numbers) => numbers.map((n) => startedAt.get(n)).filter((at) => at !== undefined);

		/** Deletes what was not taken, waits for what runs: every slice starts from an idle worker and an empty queue. */
		async function settle() {
			await db.execute(sql`delete from pgboss.job where name = ${benchJob.name} and state = 'created'`);
			for (const deadline = Date.now() + 30_000; ; await sleep(20)) {
				const [row] = await db.execute(
					sql`select count(*)::int as count from pgboss.job where name = ${benchJob.name} and state = 'active'`,
				);
				if (row.count === 0) return;
				if (Date.now() > deadline) throw new Error("jobs still active 30 s after a slice");
			}
		}

		/**
		 * Jobs arriving all the time, as an API under load enqueues them: `producers` loops enqueue one job after another
		 * for `duration` seconds (each enqueue notifies the worker). Counts the jobs the worker started in that window, and
		 * how many were enqueued: when the two are close, the worker kept up and the producers were the limit.
		 */
		async function streamSlice() {
			const numbers = [];
			const begin = performance.now();
			const end = begin + duration * 1000;
			await Promise.all(
				Array.from({ length: producers }, async () => {
					while (performance.now() < end) {
						const n = next++;
						numbers.push(n);
						await api.enqueue(benchJob, { n });
					}
				}),
			);
			const run = startsOf(numbers).filter((at) => at < end).length;
			await settle();
			return { jobsPerSecond: run / duration, enqueuedPerSecond: numbers.length / duration };
		}

		let backlog = 50;
		/**
		 * A backlog written first (not due for an hour), then made due at once: the jobs the worker starts in `duration`
		 * seconds from the first one's start, with no new job to notify it. A backlog it runs out of is measured from the
		 * first start to the last, and the next one is larger.
		 */
		async function backlogSlice() {
			const numbers = Array.from({ length: backlog }, () => next++);
			const held = new Date(Date.now() + 3_600_000);
			for (let index = 0; index < numbers.length; index += 8) {
				await Promise.all(
					numbers.slice(index, index + 8).map((n) => api.enqueue(benchJob, { n }, { startAfter: held })),
				);
			}
			await db.execute(
				sql`update pgboss.job set start_after = now() where name = ${benchJob.name} and state = 'created'`,
			);
			for (const deadline = Date.now() + 30_000; startsOf(numbers).length === 0; await sleep(10)) {
				if (Date.now() > deadline) throw new Error("the worker started no job within 30 s of the release");
			}
			const firstStart = Math.min(...startsOf(numbers));
			await sleep(Math.max(0, firstStart + duration * 1000 - performance.now()) + 50);
			const inWindow = startsOf(numbers).filter((at) => at < firstStart + duration * 1000);
			await settle();
			const jobsPerSecond =
				inWindow.length === numbers.length
					? (inWindow.length - 1) / ((Math.max(...inWindow) - firstStart) / 1000)
					: inWindow.length / duration;
			backlog = Math.max(backlog, Math.ceil(jobsPerSecond * duration * 1.5) + 10);
			return { jobsPerSecond };
		}

		/** One job at a time into an idle worker: from the enqueue call to the handler's start. */
		async function latencySlice() {
			const latencies = [];
			for (let index = 0; index < latencyJobs; index++) {
				const n = next++;
				const started = new Promise((resolve) => waiting.set(n, resolve));
				const called = performance.now();
				await api.enqueue(benchJob, { n });
				await Promise.race([started, sleep(10_000)]);
				const at = startedAt.get(n);
				if (at === undefined) throw new Error(`job ${n} did not start within 10 s`);
				latencies.push(at - called);
				// A little idle time, so that each job finds the worker waiting (not still settling the previous one).
				await sleep(5 + Math.random() * 15);
			}
			await settle();
			return { p50: quantile(latencies, 0.5), p99: quantile(latencies, 0.99), max: Math.max(...latencies) };
		}

		const slices = [
			["stream", streamSlice],
			["backlog", backlogSlice],
			["latency", latencySlice],
		];
		log("warm-up…");
		for (const [, slice] of slices) await slice();
		const samples = [];
		for (let round = 1; round <= rounds; round++) {
			// The order rotates, so that no slice always follows the same one.
			const sample = {};
			for (let index = 0; index < slices.length; index++) {
				const [name, slice] = slices[(index + round) % slices.length];
				sample[name] = await slice();
			}
			samples.push(sample);
			log(
				`round ${round}: stream ${sample.stream.jobsPerSecond.toFixed(1)} jobs/s (${sample.stream.enqueuedPerSecond.toFixed(1)} enqueued/s), ` +
					`backlog ${sample.backlog.jobsPerSecond.toFixed(1)} jobs/s, enqueue→start p50 ${sample.latency.p50.toFixed(1)} ms, p99 ${sample.latency.p99.toFixed(1)} ms`,
			);
		}
		const result = {
			benchmark: "jobs",
			date: new Date().toISOString(),
			machine: { cpus: cpus().length, node: process.version },
			setup: {
				worker: "in-process worker-role queue (createJobQueue from dist/jobs/queue.js), bench-only kind bench.noop",
				dist: distDir,
				concurrency,
				producers,
				sliceSeconds: duration,
				latencyJobsPerSlice: latencyJobs,
				rounds,
				postgres: `throwaway PostgreSQL 15, fsync ${options.fsync ? "on" : "off"}`,
			},
			streamJobsPerSecond: summary(samples.map((sample) => sample.stream.jobsPerSecond)),
			streamEnqueuedPerSecond: summary(samples.map((sample) => sample.stream.enqueuedPerSecond)),
			backlogJobsPerSecond: summary(samples.map((sample) => sample.backlog.jobsPerSecond)),
			latencyP50Ms: summary(samples.map((sample) => sample.latency.p50)),
			latencyP99Ms: summary(samples.map((sample) => sample.latency.p99)),
			samples,
		};
		process.stdout.write(
			`\none worker, concurrency ${concurrency}, median over ${rounds} rounds [lowest–highest round] ±half the range:\n` +
				`jobs/s while ${producers} producers enqueue: ${result.streamJobsPerSecond.text} (enqueued/s: ${result.streamEnqueuedPerSecond.text})\n` +
				`jobs/s draining a backlog: ${result.backlogJobsPerSecond.text}\n` +
				`enqueue → start p50 (ms): ${result.latencyP50Ms.text}\n` +
				`enqueue → start p99 (ms): ${result.latencyP99Ms.text}\n`,
		);
		await writeResults("jobs", result);
	} finally {
		for (const queue of queues.reverse()) await queue.stop({ timeoutMs: 2000 }).catch(() => {});
		for (const handle of handles) await handle.close().catch(() => {});
		await postgres.remove();
	}
}

// ---------------------------------------------------------------------------------------------------
// Cron: two worker processes, one "* * * * *" schedule; one job per tick expected, whichever worker sees it.

/** pg-boss keeps an occurrence due for 60 s; after that, one send-it poll and a margin, a tick's count is final. */
const tickClosedAfterMs = 75_000;

async function measureCron(minutes) {
	log("starting a throwaway PostgreSQL…");
	const postgres = await startThrowawayPostgres();
	const workers = [];
	const fakes = [];
	let handle;
	let queue;
	try {
		const url = await postgres.createDatabase("bench_cron");
		await preparePostgresDatabase(url);
		handle = await openDatabase({ DATABASE_URL: url, DATABASE_POOL_SIZE: 2, PGLITE_DIR: "memory://" });
		queue = createJobQueue({ handle, kinds: jobKinds, logger: silent, role: "api", poolSize: 1 });
		await queue.start();
		// Written before the workers start, so that the cron pass each one runs at start already sees it.
		await queue.schedule(dofusDbSyncJob, "* * * * *", {});
		for (let index = 0; index < 2; index++) fakes.push(await startFakeDofusDb());
		workers.push(
			...(await Promise.all(
				fakes.map((fake, index) =>
					startWorkerProcess(`cron-worker-${index}`, {
						DATABASE_URL: url,
						DOFUSDB_URL: fake.url,
						DOFUSDB_SYNC_CRON: "* * * * *",
					}),
				),
			)),
		);
		let first;
		for (let waited = 0; first === undefined && waited < 90_000; waited += 500) {
			[first] = (await cronTicks(handle.db, dofusDbSyncJob.name)).ticks;
			if (first === undefined) await sleep(500);
		}
		if (first === undefined) throw new Error("no tick within 90 s of the workers' start");
		const lastSlot = first.slot + (minutes - 1) * 60_000;
		log(
			`first tick ${new Date(first.slot).toISOString()}; watching ${minutes} ticks, until ${new Date(lastSlot + tickClosedAfterMs).toISOString()}`,
		);
		await sleep(Math.max(0, lastSlot + tickClosedAfterMs - Date.now()));

		const { ticks, strays } = await cronTicks(handle.db, dofusDbSyncJob.name);
		const watched = ticks.filter((tick) => tick.slot <= lastSlot);
		const expected = Array.from({ length: minutes }, (_, index) => first.slot + index * 60_000);
		const result = {
			benchmark: "jobs-cron",
			date: new Date().toISOString(),
			setup: { workers: 2, schedule: "* * * * *", kind: dofusDbSyncJob.name, minutes },
			ticks: expected.length,
			ticksWithAJob: watched.filter((tick) => tick.jobs > 0).length,
			missedTicks: expected
				.filter((slot) => !watched.some((tick) => tick.slot === slot && tick.jobs > 0))
				.map((slot) => new Date(slot)),
			duplicateForwards: watched.reduce((sum, tick) => sum + Math.max(0, tick.forwards - 1), 0),
			duplicateJobs: watched.reduce((sum, tick) => sum + Math.max(0, tick.jobs - 1), 0) + strays,
			strayJobs: strays,
			ranBy: fakes.map((fake) => fake.requests.length > 0),
			perTick: watched.map((tick) => ({ ...tick, slot: new Date(tick.slot) })),
		};
		process.stdout.write(
			`\ncron over ${minutes} minutes, 2 workers: ${result.ticks} ticks, ${result.ticksWithAJob} with a job, ` +
				`${result.duplicateJobs} duplicate jobs, ${result.duplicateForwards} duplicate forwards; ` +
				`worker 0 ran a tick: ${result.ranBy[0]}, worker 1: ${result.ranBy[1]}\n`,
		);
		await writeResults("jobs-cron", result);
	} finally {
		await killAll(workers);
		await Promise.all(fakes.map((fake) => fake.close()));
		await queue?.stop({ timeoutMs: 1000 }).catch(() => {});
		await handle?.close().catch(() => {});
		await postgres.remove();
	}
}

if (options["cron-minutes"] === undefined) await measureQueue();
else await measureCron(positive("cron-minutes"));
