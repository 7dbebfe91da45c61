// kill -9 of a process mid-job, on real processes (`node dist/worker.js`, `node dist/main.js`): on PostgreSQL another
// worker runs the job again, on PGlite the restarted process does, within the 30 s; and one process per PGlite
// data directory. PostgreSQL here is a throwaway server of the test's own, in both suite runs.
//
// A run lost with its worker is failed by pg-boss's supervisor once its heartbeat (10 s, refreshed every 5 s) is older
// than that, at its next pass (JOB_SUPERVISE_SECONDS, 5 s), and then waits its kind's retry delay like any failure
// before a worker polls it (JOB_POLL_SECONDS, 2 s): about 15 s plus the retry delay (with backoff, up to twice the kind's
// retryDelaySeconds). The 30 s bound holds for dofusdb.sync with a retry delay of 5 s or less.
import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import type { Database } from "../../src/db/client.js";
import { queryRows } from "../../src/db/raw.js";
import type { JobView } from "../../src/jobs/job-store.js";
import { dofusDbSyncJob } from "../../src/jobs/kinds.js";
import type { JobQueue } from "../../src/jobs/queue.js";
import { waitForJob } from "../helpers/jobs.js";
import { preparePgliteSnapshot, restorePgliteSnapshot } from "../helpers/pglite-snapshot.js";
import { processTestBed } from "../helpers/process-test-bed.js";
import {
	preparePostgresDatabase,
	startApiProcess,
	startAppProcess,
	startWorkerProcess,
	until,
	withPgliteQueue,
	withPostgresQueue,
} from "../helpers/worker-process.js";

/**
 * The sync asks DofusDB for 4 pages. Served this late, a first run is still under way when the test kills its process
 * (and checks what it must meanwhile); the run after the kill is served at `fastPageMs`.
 */
const slowPageMs = 3000;
const fastPageMs = 300;
/** The bound: a job whose worker was killed is run again and completed within this. */
const recoveryBoundSeconds = 30;

const bed = processTestBed();
const { started } = bed;

const slowDofusDb = () => bed.dofusDb(slowPageMs);

/** pg-boss's own record of a job: its state, timings and output (the status API maps some of it away). */
async function rawJob(db: Database, jobId: string) {
	const [row] = await queryRows<{ output: unknown }>(
		db,
		sql`select state::text as state, retry_count, created_on, started_on, start_after, heartbeat_on, completed_on, output
			from pgboss.job where id = ${jobId}::uuid`,
	);
	return row;
}

/** Waits for the job to leave `active` (the supervisor noticed its worker is gone), then for it to finish. */
async function watchRecovery(queue: JobQueue, db: Database, jobId: string, killedAt: number) {
	const noticed = await until(
		"the job to be failed for its lost heartbeat",
		async () => {
			const job = await queue.store.find(jobId);
			return job !== null && job.state !== "active"
				? { state: job.state, output: (await rawJob(db, jobId))?.output }
				: undefined;
		},
		120_000,
	);
	const noticedAfter = (Date.now() - killedAt) / 1000;
	const job: JobView = await waitForJob(queue, jobId, ["completed", "failed", "cancelled"], 180_000);
	return {
		noticed,
		job,
		noticedAfter,
		rerunAfter: secondsSince(killedAt, job.startedAt),
		completedAfter: secondsSince(killedAt, job.completedAt),
	};
}

/** Seconds from `since` (a Date.now() reading) to `at`. */
function secondsSince(since: number, at: Date | null): number {
	return at === null ? Number.NaN : (at.getTime() - since) / 1000;
}

describe("kill -9 of a worker mid-job (PostgreSQL, two node dist/worker.js)", () => {
	it(`the other worker runs the job again and completes it within ${recoveryBoundSeconds} s`, async () => {
		const url = await bed.postgres().createDatabase("kill_worker");
		await preparePostgresDatabase(url);
		// One fake DofusDB per worker: the one that receives the sync's requests says which worker runs it.
		const dofusDbs = [await slowDofusDb(), await slowDofusDb()];
		const workers = await Promise.all(
			dofusDbs.map((fake, index) =>
				startWorkerProcess(`worker-${index}`, { DATABASE_URL: url, DOFUSDB_URL: fake.url, DOFUSDB_RETRIES: "0" }),
			),
		);
		started.push(...workers);

		await withPostgresQueue(url, async (queue, db) => {
			const jobId = (await queue.enqueue(dofusDbSyncJob, {})) as string;
			const running = await until("a worker to start the sync", () => {
				const index = dofusDbs.findIndex((fake) => fake.requests.length > 0);
				return index === -1 ? undefined : index;
			});
			const [victim, survivor] = running === 0 ? workers : [...workers].reverse();
			expect((await queue.store.find(jobId))?.state).toBe("active");
			await victim?.stop("SIGKILL");
			const killedAt = Date.now();
			const pagesBeforeKill = dofusDbs[running]?.requests.length ?? 0;
			for (const fake of dofusDbs) fake.delayMs = fastPageMs;

			const recovery = await watchRecovery(queue, db, jobId, killedAt);
			console.info(
				`[kill -9, PostgreSQL] heartbeat loss noticed ${recovery.noticedAfter.toFixed(1)} s after the kill, run again ` +
					`after ${recovery.rerunAfter.toFixed(1)} s, completed after ${recovery.completedAfter.toFixed(1)} s`,
			);
			expect(recovery.noticed).toEqual({ state: "retrying", output: { value: { message: "job heartbeat timeout" } } });
			expect(recovery.job).toMatchObject({ state: "completed", attempts: 2, error: null });
			// Run again by the survivor, whose fake DofusDB served every page; the victim, killed mid-job, had asked for fewer.
			expect(dofusDbs[1 - running]?.requests.length).toBeGreaterThan(pagesBeforeKill);
			expect(survivor?.running).toBe(true);
			expect(recovery.completedAfter).toBeLessThanOrEqual(recoveryBoundSeconds);
		});
	}, 240_000);
});

describe("one node dist/main.js per PGlite data directory, killed with -9 mid-job", () => {
	it("refuses a second process on the directory, and after a restart the job runs again and completes", async () => {
		const folder = await mkdtemp(join(tmpdir(), "dofus-manager-jobs-kill-"));
		bed.afterwards(() => rm(folder, { recursive: true, force: true }));
		const dataDir = join(folder, "pglite");
		await restorePgliteSnapshot(await preparePgliteSnapshot(), dataDir);
		// Enqueued before the server starts, from this process, which then lets go of the directory.
		const jobId = await withPgliteQueue(dataDir, async (queue) => (await queue.enqueue(dofusDbSyncJob, {})) as string);
		const dofusDb = await slowDofusDb();
		const env = { PGLITE_DIR: dataDir, DOFUSDB_URL: dofusDb.url, DOFUSDB_RETRIES: "0" };

		const { api: first } = await startApiProcess("api-first", env);
		started.push(first);
		await until("the inline worker to start the sync", () => (dofusDb.requests.length > 0 ? true : undefined));

		const second = startAppProcess("api-second", "dist/main.js", env);
		started.push(second);
		const refusal = await second.exited;
		expect(refusal, second.output()).toEqual({ code: 1, signal: null });
		expect(second.output()).toContain(`the PGlite data directory ${dataDir} is in use by process ${first.pid}`);
		expect(second.lines().some((line) => String(line.msg).startsWith("Dofus Manager listening"))).toBe(false);
		expect(first.running).toBe(true);

		await first.stop("SIGKILL");
		const killedAt = Date.now();
		const requestsBeforeRestart = dofusDb.requests.length;
		dofusDb.delayMs = fastPageMs;
		// The killed process's lock is still there, naming its dead pid: the restart takes it over.
		expect(readFileSync(`${dataDir}.lock`, "utf8").split("\n")[0]).toBe(String(first.pid));
		const { api: restarted } = await startApiProcess("api-restarted", env);
		started.push(restarted);
		const completed = await restarted
			.waitForLog(
				(line) => line.msg === "job completed" && (line.job as { id?: string } | undefined)?.id === jobId,
				150_000,
			)
			.catch(() => undefined);
		const completedAfter = (Date.now() - killedAt) / 1000;
		expect(await restarted.stop("SIGTERM")).toEqual({ code: 0, signal: null });
		// The directory is free again: what pg-boss recorded, in full when the job did not complete.
		const [job, row] = await withPgliteQueue(dataDir, async (queue, db) => [
			await queue.store.find(jobId),
			await rawJob(db, jobId),
		]);
		console.info(
			`[kill -9, PGlite] the restarted process completed the job ${completedAfter.toFixed(1)} s after the kill` +
				(completed === undefined ? ` (not completed: ${JSON.stringify(row)})` : ""),
		);
		expect(completed?.job).toMatchObject({ id: jobId, attempt: 2 });
		// Killed mid-job: the run after the restart asked for more pages than the first one had.
		expect(dofusDb.requests.length - requestsBeforeRestart).toBeGreaterThan(requestsBeforeRestart);
		expect(job).toMatchObject({ state: "completed", attempts: 2, error: null });
		expect(completedAfter).toBeLessThanOrEqual(recoveryBoundSeconds);
	}, 300_000);
});
