// The `dofusdb.sync` job against the fake DofusDB: run by a worker, its progress stored, and every API instance's
// reference cache emptied when it commits (two instances with their own caches; on PostgreSQL, their own pools).
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { App } from "../../src/core/index.js";
import { type DatabaseHandle, openDatabase } from "../../src/db/index.js";
import { dofusDbSyncJob, jobKinds } from "../../src/jobs/kinds.js";
import type { JobQueue } from "../../src/jobs/queue.js";
import { createReferenceCache } from "../../src/services/reference-cache.js";
import { followReferenceChanges } from "../../src/services/reference-changes.js";
import { loadReferenceBody } from "../../src/services/reference-data.js";
import { dofusDbSyncHandler } from "../../src/workers/dofusdb-sync.js";
import { getTestDatabaseHandle, testJobQueueOf } from "../helpers/database.js";
import { defaultRecords, type FakeDofusDb, startFakeDofusDb } from "../helpers/fake-dofusdb.js";
import { buildIdentityApp } from "../helpers/identity.js";
import { startTestJobQueue, waitForJob } from "../helpers/jobs.js";
import { restoreReferenceData } from "../helpers/reference.js";

interface Instance {
	app: App;
	loads: () => number;
	stop: () => Promise<void>;
}

let handle: DatabaseHandle;
let otherHandle: DatabaseHandle;
let api: FakeDofusDb;
let worker: JobQueue;
let instances: Instance[];

/** An API instance with its own reference cache (TTL one hour: only an invalidation makes it read again). */
async function startInstance(on: DatabaseHandle): Promise<Instance> {
	let loads = 0;
	const referenceCache = createReferenceCache({
		db: on.db,
		ttlMs: 3_600_000,
		load: (db, resource) => {
			loads += 1;
			return loadReferenceBody(db, resource);
		},
	});
	const stop = await followReferenceChanges(on, referenceCache);
	const { app } = buildIdentityApp(on.db, { referenceCache, jobs: testJobQueueOf(handle.db) });
	return { app, loads: () => loads, stop };
}

const serverNames = async (app: App) =>
	((await app.inject({ method: "GET", url: "/api/servers" })).json().servers as Array<{ name: string }>).map(
		(server) => server.name,
	);

async function eventually<T>(read: () => Promise<T>, accept: (value: T) => boolean, timeoutMs = 5_000): Promise<T> {
	const deadline = Date.now() + timeoutMs;
	let value = await read();
	while (!accept(value) && Date.now() < deadline) {
		await new Promise((resolve) => setTimeout(resolve, 25));
		value = await read();
	}
	return value;
}

beforeAll(async () => {
	handle = await getTestDatabaseHandle();
	// PostgreSQL: the second instance has its own pool, so the notification really crosses connections.
	otherHandle =
		handle.driver.engine === "postgres"
			? await openDatabase({ DATABASE_URL: handle.driver.url, DATABASE_POOL_SIZE: 2, PGLITE_DIR: "memory://" })
			: handle;
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
	if (otherHandle !== handle) await otherHandle.close();
});

beforeEach(async () => {
	await restoreReferenceData(handle.db);
	api.records = defaultRecords();
	api.faults = {};
	instances = [await startInstance(handle), await startInstance(otherHandle)];
});

afterEach(async () => {
	for (const instance of instances) await instance.stop();
});

describe("the dofusdb.sync job", () => {
	it("syncs, reports its progress by step, and empties the cache of every API instance when it commits", async () => {
		for (const instance of instances) expect(await serverNames(instance.app)).not.toContain("Nouveau Serveur");
		const loadsBefore = instances.map((instance) => instance.loads());
		// The dungeons' second page waits: the job is seen active, part way.
		api.faults["/dungeons"] = [{ delayMs: 0 }, { delayMs: 1_500 }];

		const id = (await worker.enqueue(dofusDbSyncJob, {})) as string;
		const midway = await waitForJob(worker, id, ["active"]);
		const partWay = await eventually(
			() => worker.store.find(id),
			(job) => (job?.progress?.message ?? "").startsWith("dungeons: fetching"),
		);
		expect(midway.state).toBe("active");
		expect(partWay?.progress).toEqual({ done: 4, total: 6, message: "dungeons: fetching 50/60" });

		const job = await waitForJob(worker, id);
		expect(job).toMatchObject({
			state: "completed",
			progress: { done: 6, total: 6, message: "done: reference data changed" },
			output: { changed: true, servers: { created: 2 } },
		});
		// TTL one hour: the new server shows on both instances only because the commit's notification reached them.
		for (const instance of instances) {
			expect(
				await eventually(
					() => serverNames(instance.app),
					(names) => names.includes("Nouveau Serveur"),
				),
			).toContain("Nouveau Serveur");
		}
		instances.forEach((instance, index) => {
			expect(instance.loads()).toBeGreaterThan(loadsBefore[index] as number);
		});
	});

	it("leaves the caches alone when nothing changed", async () => {
		const first = (await worker.enqueue(dofusDbSyncJob, {})) as string;
		await waitForJob(worker, first);
		for (const instance of instances)
			await eventually(
				() => serverNames(instance.app),
				(names) => names.includes("Nouveau Serveur"),
			);
		const loadsBefore = instances.map((instance) => instance.loads());

		const second = (await worker.enqueue(dofusDbSyncJob, {})) as string;
		const job = await waitForJob(worker, second);
		expect(job).toMatchObject({
			state: "completed",
			output: { changed: false },
			progress: { message: "done: nothing changed" },
		});
		// A notification would have arrived by now (the first one did within the wait above); none came.
		await new Promise((resolve) => setTimeout(resolve, 300));
		for (const instance of instances) await serverNames(instance.app);
		expect(instances.map((instance) => instance.loads())).toEqual(loadsBefore);
	});

	it("fails with DofusDB's error after its retries, writing nothing", async () => {
		api.faults["/breeds"] = Array.from({ length: 10 }, () => ({ status: 503 }));
		const id = (await worker.enqueue(dofusDbSyncJob, {})) as string;
		const retrying = await waitForJob(worker, id, ["retrying", "failed"]);
		expect(retrying.error).toMatch(/503/);
		for (const instance of instances) expect(await serverNames(instance.app)).not.toContain("Nouveau Serveur");
		await worker.cancel(id);
	});
});
