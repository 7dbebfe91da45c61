// SIGTERM of a `node dist/worker.js` mid-job: it stops taking jobs, lets the running one finish, exits 0; the job is
// completed once and the one that arrived meanwhile is left for another worker. PostgreSQL here is a throwaway server
// of the test's own, in both suite runs.
import { describe, expect, it } from "vitest";
import { dofusDbSyncJob } from "../../src/jobs/kinds.js";
import { waitForJob } from "../helpers/jobs.js";
import { processTestBed } from "../helpers/process-test-bed.js";
import {
	message,
	preparePostgresDatabase,
	startWorkerProcess,
	until,
	withPostgresQueue,
} from "../helpers/worker-process.js";

const bed = processTestBed();
const { started } = bed;

describe("SIGTERM of a worker mid-job (PostgreSQL)", () => {
	it("stops taking jobs, finishes the running one, exits 0; the job is completed once and nothing is lost", async () => {
		const url = await bed.postgres().createDatabase("sigterm_worker");
		await preparePostgresDatabase(url);
		const stoppingDofusDb = await bed.dofusDb(1000);
		const stopping = await startWorkerProcess("worker-stopping", {
			DATABASE_URL: url,
			DOFUSDB_URL: stoppingDofusDb.url,
		});
		started.push(stopping);

		await withPostgresQueue(url, async (queue) => {
			const runningId = (await queue.enqueue(dofusDbSyncJob, {})) as string;
			await until("the worker to start the sync", () => (stoppingDofusDb.requests.length > 0 ? true : undefined));
			stopping.child.kill("SIGTERM");
			const signalledAt = Date.now();
			await stopping.waitForLog(message("shutting down"));
			// Due while the worker stops: it must not take it (the kind is a singleton, one may wait beside the running one).
			const waitingId = (await queue.enqueue(dofusDbSyncJob, {})) as string;
			expect(waitingId).not.toBeNull();

			const exit = await stopping.exited;
			expect(exit, stopping.output()).toEqual({ code: 0, signal: null });
			const finished = await queue.store.find(runningId);
			expect(finished).toMatchObject({ state: "completed", attempts: 1, error: null });
			// It was still running when the signal came: the worker waited for it before it exited.
			expect(finished?.completedAt?.getTime()).toBeGreaterThan(signalledAt);
			const pagesOfOneSync = stoppingDofusDb.requests.length;
			expect((await queue.store.find(waitingId))?.state).toBe("queued");

			// Another worker takes what was left waiting; the stopped one ran nothing twice.
			const takingDofusDb = await bed.dofusDb(300);
			const taking = await startWorkerProcess("worker-taking", { DATABASE_URL: url, DOFUSDB_URL: takingDofusDb.url });
			started.push(taking);
			expect(await waitForJob(queue, waitingId, ["completed", "failed", "cancelled"], 60_000)).toMatchObject({
				state: "completed",
				attempts: 1,
			});
			expect(takingDofusDb.requests.length).toBe(pagesOfOneSync);
			expect(await queue.store.find(runningId)).toMatchObject({ state: "completed", attempts: 1 });
			expect(await taking.stop("SIGTERM")).toEqual({ code: 0, signal: null });
		});
	}, 180_000);
});
