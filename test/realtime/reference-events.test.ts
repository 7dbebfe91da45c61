// `reference.updated` in the real-time log: one per DofusDB sync that changed reference data, committed with it.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { DatabaseHandle } from "../../src/db/index.js";
import { dofusDbSyncJob, jobKinds } from "../../src/jobs/kinds.js";
import type { JobQueue } from "../../src/jobs/queue.js";
import { loadReferenceBody } from "../../src/services/reference-data.js";
import { syncDofusDb } from "../../src/sync/dofusdb.js";
import { dofusDbSyncHandler } from "../../src/workers/dofusdb-sync.js";
import { getTestDatabaseHandle } from "../helpers/database.js";
import { publishedEvents } from "../helpers/events.js";
import { defaultRecords, type FakeDofusDb, startFakeDofusDb } from "../helpers/fake-dofusdb.js";
import { startTestJobQueue, waitForJob } from "../helpers/jobs.js";
import { restoreReferenceData } from "../helpers/reference.js";

let handle: DatabaseHandle;
let api: FakeDofusDb;
let worker: JobQueue;

beforeAll(async () => {
	handle = await getTestDatabaseHandle();
	api = await startFakeDofusDb();
	worker = await startTestJobQueue(handle, jobKinds);
	await worker.work(
		dofusDbSyncJob,
		dofusDbSyncHandler({
			db: handle.db,
			config: { DOFUSDB_URL: api.url, DOFUSDB_TIMEOUT_MS: 2_000, DOFUSDB_RETRIES: 0 },
			progressIntervalMs: 0,
		}),
	);
});

afterAll(async () => {
	await api.close();
});

beforeEach(async () => {
	await restoreReferenceData(handle.db);
	api.records = defaultRecords();
	api.faults = {};
});

describe("reference.updated", () => {
	it("is logged once by a sync that changed reference data, for every signed-in client, naming what changed", async () => {
		const id = (await worker.enqueue(dofusDbSyncJob, {})) as string;
		const job = await waitForJob(worker, id);
		expect(job.state).toBe("completed");
		const output = job.output as Record<string, { created: number; updated: number }>;
		const changed = ["classes", "servers", "dungeons"].filter(
			(resource) => (output[resource]?.created ?? 0) + (output[resource]?.updated ?? 0) > 0,
		);
		expect(changed).toContain("servers");
		const events = await publishedEvents(handle.db);
		expect(events.map(({ type, audience, data }) => ({ type, audience, data }))).toEqual([
			{ type: "reference.updated", audience: ["reference"], data: { resources: changed } },
		]);
	});

	it("is not logged by a sync that changed nothing", async () => {
		await waitForJob(worker, (await worker.enqueue(dofusDbSyncJob, {})) as string);
		const before = await publishedEvents(handle.db);
		const second = await waitForJob(worker, (await worker.enqueue(dofusDbSyncJob, {})) as string);
		expect(second.output).toMatchObject({ changed: false });
		expect(await publishedEvents(handle.db)).toEqual(before);
	});

	it("is not logged when the sync's transaction rolls back", async () => {
		const serversBefore = await loadReferenceBody(handle.db, "servers");
		await expect(
			handle.db.transaction(async (tx) => {
				const report = await syncDofusDb({ db: tx, baseUrl: api.url, retries: 0 });
				expect(report.changed).toBe(true);
				throw new Error("roll the sync back");
			}),
		).rejects.toThrow("roll the sync back");
		expect(await publishedEvents(handle.db)).toEqual([]);
		expect(await loadReferenceBody(handle.db, "servers")).toEqual(serversBefore);
	});

	it("is not logged by a sync that fails before writing", async () => {
		api.faults["/breeds"] = [{ status: 503 }];
		await expect(syncDofusDb({ db: handle.db, baseUrl: api.url, retries: 0 })).rejects.toThrow(/503/);
		expect(await publishedEvents(handle.db)).toEqual([]);
	});
});
