// A cron schedule across two `node dist/worker.js` on one PostgreSQL (a throwaway server of the test's own): each tick
// creates exactly one job, whichever worker's cron pass sees it first.
//
// pg-boss (12.38, timekeeper.js) evaluates schedules in a cron pass that one instance at a time wins, every
// `cronMonitorIntervalSeconds` (30 s by default; our queue keeps it), and sends an occurrence through its internal
// `__pgboss__send-it` queue (polled every `cronWorkerIntervalSeconds`, 5 s). An occurrence stays due for 60 s and is
// filed in the 60-second slot it falls in, one job per slot at most: 6-field (seconds) expressions are accepted, but
// nothing ticks more often than once a minute. So the test watches a `* * * * *` schedule for two whole ticks, each
// past its 60-second window (no later pass can add a job for it): about two minutes.
import { describe, expect, it } from "vitest";
import { dofusDbSyncJob } from "../../src/jobs/kinds.js";
import { processTestBed } from "../helpers/process-test-bed.js";
import {
	cronTicks,
	preparePostgresDatabase,
	startWorkerProcess,
	until,
	withPostgresQueue,
} from "../helpers/worker-process.js";

const everyMinute = "* * * * *";
/** How long an occurrence stays due in pg-boss, plus one send-it poll and a margin: past it, a tick's count is final. */
const tickClosedAfterMs = 75_000;

const bed = processTestBed();
const { started } = bed;

describe("cron across two worker processes (PostgreSQL)", () => {
	it("creates exactly one job per tick", async () => {
		const url = await bed.postgres().createDatabase("cron");
		await preparePostgresDatabase(url);
		await withPostgresQueue(url, async (queue, db) => {
			// The schedule every worker writes at start, written first here: the cron pass each worker runs as it starts
			// then finds it, and the current minute's tick is the first one watched.
			await queue.schedule(dofusDbSyncJob, everyMinute, {});
			const dofusDbs = [await bed.dofusDb(), await bed.dofusDb()];
			const workers = await Promise.all(
				dofusDbs.map((fake, index) =>
					startWorkerProcess(`cron-worker-${index}`, {
						DATABASE_URL: url,
						DOFUSDB_URL: fake.url,
						DOFUSDB_SYNC_CRON: everyMinute,
					}),
				),
			);
			started.push(...workers);

			const first = await until(
				"a first tick",
				async () => (await cronTicks(db, dofusDbSyncJob.name)).ticks[0],
				60_000,
			);
			// Two ticks (this one and the next), each past its window.
			const end = first.slot + 60_000 + tickClosedAfterMs;
			await new Promise((resolve) => setTimeout(resolve, Math.max(0, end - Date.now())));

			const { ticks, strays } = await cronTicks(db, dofusDbSyncJob.name);
			const closed = ticks.filter((tick) => tick.slot + tickClosedAfterMs <= Date.now());
			const ranBy = dofusDbs.map((fake) => fake.requests.length > 0);
			console.info(
				`[cron] ${closed.length} closed ticks: ${closed.map((tick) => `${new Date(tick.slot).toISOString()} ${tick.forwards} forward(s), ${tick.jobs} job(s)`).join("; ")}; ` +
					`${strays} stray jobs; workers that ran a tick: ${ranBy.join("/")}`,
			);
			expect(closed.length).toBeGreaterThanOrEqual(2);
			// One forward per tick (pg-boss's cross-instance guard), one job per tick (what the app sees), none besides.
			expect(closed.map(({ forwards, jobs, completed }) => ({ forwards, jobs, completed }))).toEqual(
				closed.map(() => ({ forwards: 1, jobs: 1, completed: 1 })),
			);
			expect(strays).toBe(0);
			// Consecutive minutes: no tick was skipped between the first and the last.
			expect(closed.map((tick) => tick.slot - first.slot)).toEqual(closed.map((_, index) => index * 60_000));
			expect(workers.every((worker) => worker.running)).toBe(true);
		});
	}, 240_000);
});
