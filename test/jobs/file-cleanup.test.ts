// The files' clean-up on both storages: pending rows, objects without rows and rows without objects go once older
// than the grace period (younger ones stay), a storage that looks wrong is left alone, ownerless files go; the
// deletion log is drained as deletions commit; and the maintenance.cleanup job runs it all.
import { eq } from "drizzle-orm";
import { pino } from "pino";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.js";
import type { Database, DatabaseHandle } from "../../src/db/index.js";
import { characters, files, users } from "../../src/db/schema/index.js";
import { maintenanceCleanupJob } from "../../src/jobs/kinds.js";
import { cleanupPolicy, createCleanupService } from "../../src/services/cleanup.js";
import { createFileCleanup, defaultFileCleanupPolicy } from "../../src/services/file-cleanup.js";
import { createFileDeletions, type FileDeletions, followFileDeletions } from "../../src/services/file-deletions.js";
import { createFileService, type FileService } from "../../src/services/files.js";
import { createUploadQuota } from "../../src/services/quota.js";
import { newObjectKey } from "../../src/storage/index.js";
import { maintenanceCleanupHandler } from "../../src/workers/maintenance-cleanup.js";
import { bufferStream } from "../helpers/byte-streams.js";
import { getTestDatabaseHandle, resetTestDatabase } from "../helpers/database.js";
import { deletionLog, fileRows, objectKeys, storageDrivers, type TestStorage } from "../helpers/files.js";
import { createCharacter, createGameAccount, createUser } from "../helpers/fixtures.js";
import { type TestClock, testClock } from "../helpers/identity.js";
import { startTestJobQueue, waitForJob } from "../helpers/jobs.js";
import { captureLogs } from "../helpers/log-capture.js";

const hour = 3600_000;
const graceMs = defaultFileCleanupPolicy.graceMs;
const silent = pino({ level: "silent" });

let handle: DatabaseHandle;
let db: Database;

beforeAll(async () => {
	handle = await getTestDatabaseHandle();
	db = handle.db;
});

describe.each(storageDrivers)("the files' clean-up ($driver)", ({ start }) => {
	let subject: TestStorage;
	let clock: TestClock;
	let service: FileService;
	let deletions: FileDeletions;
	let ownerId: number;

	beforeAll(async () => {
		subject = await start();
	});

	beforeEach(async () => {
		await resetTestDatabase(db);
		for await (const object of subject.storage.list("")) await subject.storage.delete(object.key);
		// Objects and rows are dated by the real time: the clean-up's clock starts there.
		clock = testClock(new Date());
		service = createFileService({
			db,
			storage: subject.storage,
			quota: createUploadQuota(1_000_000),
			urlSeconds: 300,
		});
		deletions = createFileDeletions({ db, storage: subject.storage, logger: silent });
		ownerId = (await createUser(db)).id;
	});

	const cleanUp = (logger = silent) =>
		createFileCleanup({ db, storage: subject.storage, deletions, now: clock, logger }).run();
	const none = {
		pendingRows: 0,
		ownerlessRows: 0,
		uploadAttempts: 0,
		deletedObjects: 0,
		orphanObjects: 0,
		missingObjectRows: 0,
	};
	const store = (size = 100) =>
		service.store({
			ownerId,
			purpose: "character-import",
			file: { body: Buffer.alloc(size, 7), size, contentType: "text/csv", originalName: "roster.csv" },
		});
	const pendingRow = async () => {
		const storageKey = newObjectKey("files");
		await db.insert(files).values({
			ownerId,
			purpose: "character-import",
			storageKey,
			contentType: "text/csv",
			size: 10,
			originalName: "half.csv",
		});
		// Half stored when its upload crashed.
		await subject.storage.put(storageKey, bufferStream("name,lev"), { contentType: "text/csv" });
		return storageKey;
	};

	it("keeps everything younger than the grace period", async () => {
		await store();
		await pendingRow();
		await subject.storage.put(newObjectKey("files"), bufferStream("lost"), { contentType: "text/plain" });
		clock.advance(graceMs - hour);
		expect(await cleanUp()).toEqual(none);
		expect(await fileRows(db)).toHaveLength(2);
		expect(await objectKeys(subject.storage)).toHaveLength(3);
	});

	it("removes a pending row older than the grace period, with what its upload had stored", async () => {
		const { file } = await store();
		await pendingRow();
		clock.advance(graceMs + hour);
		expect(await cleanUp()).toEqual({ ...none, pendingRows: 1, deletedObjects: 1 });
		expect((await fileRows(db)).map((row) => row.id)).toEqual([file.id]);
		expect(await objectKeys(subject.storage)).toEqual([file.storageKey]);
	});

	it("removes objects without a row once older than the grace period, and nothing outside files/", async () => {
		const { file } = await store();
		await subject.storage.put(newObjectKey("files"), bufferStream("lost"), { contentType: "text/plain" });
		await subject.storage.put("backups/keep-me", bufferStream("not ours"), { contentType: "text/plain" });
		clock.advance(graceMs + hour);
		expect(await cleanUp()).toEqual({ ...none, orphanObjects: 1 });
		expect(await objectKeys(subject.storage)).toEqual([file.storageKey]);
		expect(await subject.storage.exists("backups/keep-me")).toBe(true);
	});

	it("removes a stored row whose object was lost, once older than the grace period", async () => {
		const kept = await store();
		const lost = await store();
		await subject.storage.delete(lost.file.storageKey);
		clock.advance(graceMs + hour);
		expect(await cleanUp()).toEqual({ ...none, missingObjectRows: 1 });
		expect((await fileRows(db)).map((row) => row.id)).toEqual([kept.file.id]);
	});

	it("deletes no row when many have lost their objects: the storage is more likely the wrong one", async () => {
		for (let index = 0; index < 12; index++) await store();
		for (const key of await objectKeys(subject.storage)) await subject.storage.delete(key);
		clock.advance(graceMs + hour);
		const logs = captureLogs("error");
		expect(await cleanUp(logs.logger)).toEqual(none);
		expect(await fileRows(db)).toHaveLength(12);
		expect(logs.lines.map((line) => line.msg)).toEqual([
			"many stored files have no object: is the storage the right one? nothing was deleted",
		]);
	});

	it("removes a user's own files once the user is gone, whatever their age", async () => {
		const { file } = await store();
		await db.delete(users).where(eq(users.id, ownerId));
		expect((await fileRows(db)).map((row) => row.ownerId)).toEqual([null]);
		expect(await cleanUp()).toEqual({ ...none, ownerlessRows: 1, deletedObjects: 1 });
		expect(await subject.storage.exists(file.storageKey)).toBe(false);
	});

	it("deletes the objects of deleted files as the deletion commits, with nobody draining by hand", async () => {
		const account = await createGameAccount(db, ownerId);
		const character = await createCharacter(db, account.id);
		const { file } = await service.store({
			ownerId,
			purpose: "portrait",
			characterId: character.id,
			file: { body: Buffer.alloc(50, 1), size: 50, contentType: "image/webp", originalName: "p.webp" },
		});
		const stop = await followFileDeletions(handle, deletions, silent);
		try {
			await db.delete(characters).where(eq(characters.id, character.id));
			await expect.poll(() => subject.storage.exists(file.storageKey)).toBe(false);
			await expect.poll(() => deletionLog(db)).toEqual([]);
		} finally {
			await stop();
		}
	});
});

describe("the maintenance.cleanup job with a storage", () => {
	it("runs the files' steps after the tables', and returns and logs their counts", async () => {
		const subject = await (storageDrivers[0] as (typeof storageDrivers)[number]).start();
		await resetTestDatabase(db);
		const clock = testClock(new Date());
		const deletions = createFileDeletions({ db, storage: subject.storage, logger: silent });
		const logs = captureLogs("info");
		const worker = await startTestJobQueue(handle, [maintenanceCleanupJob], { logger: logs.logger });
		await worker.work(
			maintenanceCleanupJob,
			maintenanceCleanupHandler({
				cleanup: createCleanupService({ db, policy: cleanupPolicy(loadConfig({ APP_ENV: "TEST" })), now: clock }),
				files: createFileCleanup({ db, storage: subject.storage, deletions, now: clock, logger: silent }),
			}),
		);
		await subject.storage.put(newObjectKey("files"), bufferStream("lost"), { contentType: "text/plain" });
		clock.advance(graceMs + hour);

		const id = await worker.enqueue(maintenanceCleanupJob, {});
		const job = await waitForJob(worker, id as string);
		expect(job).toMatchObject({
			state: "completed",
			output: { sessions: 0, files: { orphanObjects: 1, pendingRows: 0 } },
			progress: { done: 15, total: 15, message: "done" },
		});
		expect(logs.lines.find((line) => line.msg === "clean-up done")?.deleted).toMatchObject({
			files: { orphanObjects: 1 },
		});
	});
});
