// The `characters.import` job on a real queue and storage: rows found by name or id, progress as rows go, one event per
// character as POST /api/characters publishes, files that cannot be imported failed at once, a retry that creates no
// duplicate, and the uploaded file deleted once the job is over.
import { and, eq } from "drizzle-orm";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Database, DatabaseHandle } from "../../src/db/index.js";
import { characters, gameAccounts } from "../../src/db/schema/index.js";
import { defineJobKind } from "../../src/jobs/job-kind.js";
import { characterImportJob } from "../../src/jobs/kinds.js";
import type { JobQueue } from "../../src/jobs/queue.js";
import { createCharacterImporter, queueCharacterImport } from "../../src/services/character-import.js";
import { type CharacterService, createCharacterService } from "../../src/services/characters.js";
import { createFileService, type FileService } from "../../src/services/files.js";
import { createUploadQuota } from "../../src/services/quota.js";
import { characterImportHandler } from "../../src/workers/characters-import.js";
import { getTestDatabaseHandle, resetTestDatabase, testJobQueueOf } from "../helpers/database.js";
import { publishedEvents } from "../helpers/events.js";
import { fileRows, objectKeys, storageDrivers, type TestStorage } from "../helpers/files.js";
import { createGameAccount, createUser, reference } from "../helpers/fixtures.js";
import { startTestJobQueue, waitForJob } from "../helpers/jobs.js";

// The real kind, retried after a second rather than five: a started worker queue writes these settings to pg-boss's
// queue row, and the jobs the API-side queue enqueues take them from there.
const quickRetryImport = defineJobKind({ ...characterImportJob, retryDelaySeconds: 1, retryBackoff: false });

let handle: DatabaseHandle;
let db: Database;
let storage: TestStorage;
let files: FileService;
/** The API-side queue: what the route enqueues on. */
let api: JobQueue;
/**
 * A connection lost after this many characters created, once: the worker's characters service is the real one, with
 * this one fault in front of it (the database itself cannot be made to drop one statement on both engines).
 */
let interruptAfter: number | undefined;

function interruptible(real: CharacterService): CharacterService {
	let created = 0;
	return {
		...real,
		async create(values, userId) {
			if (interruptAfter !== undefined && created >= interruptAfter) {
				interruptAfter = undefined;
				created = 0;
				throw new Error("connection terminated unexpectedly");
			}
			created += 1;
			return real.create(values, userId);
		},
	};
}

beforeAll(async () => {
	handle = await getTestDatabaseHandle();
	db = handle.db;
	storage = await (storageDrivers[0] as (typeof storageDrivers)[number]).start();
	files = createFileService({
		db,
		storage: storage.storage,
		quota: createUploadQuota(50 * 1024 * 1024),
		urlSeconds: 60,
	});
	api = testJobQueueOf(db);
	const worker = await startTestJobQueue(handle, [quickRetryImport]);
	const importer = createCharacterImporter({ db, characters: interruptible(createCharacterService(db)) });
	await worker.work(quickRetryImport, characterImportHandler({ files, importer }));
});

beforeEach(async () => {
	await resetTestDatabase(db);
	for (const key of await objectKeys(storage.storage)) await storage.storage.delete(key);
	interruptAfter = undefined;
});

/** A user with one game account named "Main". */
async function player() {
	const user = await createUser(db);
	const account = await createGameAccount(db, user.id, { name: "Main" });
	return { user, account };
}

/** Stores `text` as `userId`'s import file and queues its job, as the route does; waits for the job to end. */
async function runImport(userId: number, text: string | Buffer) {
	const body = Buffer.isBuffer(text) ? text : Buffer.from(text);
	const source = { body, size: body.length, contentType: "text/csv", originalName: "characters.csv" };
	const jobId = await queueCharacterImport(files, api, userId, source);
	return waitForJob(api, jobId);
}

const header = "name,level,class,server,account";

function charactersOf(accountId: number) {
	return db
		.select({
			name: characters.name,
			level: characters.level,
			classId: characters.classId,
			serverId: characters.serverId,
		})
		.from(characters)
		.where(eq(characters.accountId, accountId))
		.orderBy(characters.id);
}

describe("the characters.import job", () => {
	it("finds classes and servers by name, case and accents aside, or by id", async () => {
		const { user, account } = await player();
		const job = await runImport(
			user.id,
			[header, "Bob,10,IOP,draconiros,main", "Alice,20,Crâ, DAKAL ,Main", "Carol,30,7,1,MAIN"].join("\n"),
		);
		expect(job.state).toBe("completed");
		expect(await charactersOf(account.id)).toEqual([
			{ name: "Bob", level: 10, classId: reference.class.iop, serverId: reference.server.draconiros },
			{ name: "Alice", level: 20, classId: reference.class.cra, serverId: reference.server.dakal },
			{ name: "Carol", level: 30, classId: reference.class.eniripsa, serverId: reference.server.dakal },
		]);
	});

	it("reads a `;`-separated export with a BOM, Windows line ends and extra columns", async () => {
		const { user, account } = await player();
		const text = `\uFEFFAccount;Name;Class;Server;Notes\r\nMain;Bob;Iop;Draconiros;my main\r\n\r\nMain;Alice;Cra;Dakal;\r\n`;
		const job = await runImport(user.id, text);
		expect(job.output).toEqual({
			created: [
				{ line: 2, id: expect.any(Number), name: "Bob" },
				{ line: 4, id: expect.any(Number), name: "Alice" },
			],
			rejected: [],
		});
		expect((await charactersOf(account.id)).map((row) => row.level)).toEqual([1, 1]);
	});

	it("reports progress every 25 rows and after the last one", async () => {
		const { user } = await player();
		const rows = Array.from({ length: 60 }, (_, index) => `Perso${index},1,Iop,Draconiros,Main`);
		const job = await runImport(user.id, [header, ...rows].join("\n"));
		expect(job.progress).toEqual({ done: 60, total: 60, message: "60 of 60 rows: 60 created, 0 rejected" });
		const reports = (await publishedEvents(db)).filter((event) => event.type === "job.progress");
		expect(reports.map((event) => (event.data as { done: number }).done)).toEqual([0, 25, 50, 60]);
		expect(reports[0]?.audience).toEqual([`user:${user.id}`]);
	});

	it("publishes character.created for each character, as POST /api/characters does", async () => {
		const { user } = await player();
		const job = await runImport(
			user.id,
			[header, "Bob,10,Iop,Draconiros,Main", "Bob,10,Iop,Draconiros,Main"].join("\n"),
		);
		const created = (await publishedEvents(db)).filter((event) => event.type === "character.created");
		expect(created.map((event) => event.data)).toEqual([
			expect.objectContaining({ id: (job.output as { created: { id: number }[] }).created[0]?.id, name: "Bob" }),
		]);
		expect(created[0]?.audience).toContain(`user:${user.id}`);
	});

	it("deletes the uploaded file once the import is done, giving its quota back", async () => {
		const { user } = await player();
		await runImport(user.id, [header, "Bob,10,Iop,Draconiros,Main"].join("\n"));
		expect(await fileRows(db)).toEqual([]);
		expect(await files.quota.usage(db, user.id)).toEqual({ usedBytes: 0, quotaBytes: 50 * 1024 * 1024 });
	});

	it("fails at once, with the reason, when the header lacks columns; the file is deleted", async () => {
		const { user, account } = await player();
		const job = await runImport(user.id, "name,level\nBob,10\n");
		expect(job).toMatchObject({ state: "failed", attempts: 1 });
		expect(job.error).toBe(
			"The header (line 1) lacks the columns class, server, account: its first line must name " +
				"name,level,class,server,account (any order; level may be left out).",
		);
		expect(await charactersOf(account.id)).toEqual([]);
		expect(await fileRows(db)).toEqual([]);
	});

	it("fails at once for a file of more than 1000 rows, creating none of them", async () => {
		const { user, account } = await player();
		const rows = Array.from({ length: 1001 }, (_, index) => `Perso${index},1,Iop,Draconiros,Main`);
		const job = await runImport(user.id, [header, ...rows].join("\n"));
		expect(job).toMatchObject({
			state: "failed",
			attempts: 1,
			error: "The file has 1001 rows; an import takes at most 1000: split it into several files.",
		});
		expect(await charactersOf(account.id)).toEqual([]);
	});

	it("fails at once for a file that is not UTF-8 (Excel's Latin-1 CSV)", async () => {
		const { user } = await player();
		const job = await runImport(user.id, Buffer.from(`${header}\nCr\xe9ateur,1,Iop,Draconiros,Main\n`, "latin1"));
		expect(job).toMatchObject({ state: "failed", attempts: 1 });
		expect(job.error).toMatch(/^The file is not UTF-8 text/);
	});

	it("fails at once when the file was deleted before the job ran", async () => {
		const { user } = await player();
		const body = Buffer.from(`${header}\nBob,10,Iop,Draconiros,Main\n`);
		const stored = await files.store({
			ownerId: user.id,
			purpose: "character-import",
			file: { body, size: body.length, contentType: "text/csv", originalName: "characters.csv" },
		});
		await files.remove(stored.file.id);
		const jobId = await api.enqueue(
			characterImportJob,
			{ fileId: stored.file.id, userId: user.id },
			{ requestedBy: user.id },
		);
		const job = await waitForJob(api, jobId as string);
		expect(job).toMatchObject({ state: "failed", error: "The uploaded file is gone: upload it again." });
	});

	it("never reads another user's file, whatever the payload says", async () => {
		const owner = await player();
		const other = await player();
		const body = Buffer.from(`${header}\nBob,10,Iop,Draconiros,Main\n`);
		const stored = await files.store({
			ownerId: owner.user.id,
			purpose: "character-import",
			file: { body, size: body.length, contentType: "text/csv", originalName: "characters.csv" },
		});
		const payload = { fileId: stored.file.id, userId: other.user.id };
		const job = await waitForJob(api, (await api.enqueue(characterImportJob, payload)) as string);
		expect(job).toMatchObject({ state: "failed", error: "The uploaded file is gone: upload it again." });
		expect(await charactersOf(other.account.id)).toEqual([]);
		expect(await fileRows(db)).toHaveLength(1);
	});

	it("after a failure mid-file, the retry creates the rest and counts what the first attempt created, once", async () => {
		const { user, account } = await player();
		interruptAfter = 2;
		const text = [
			header,
			"Bob,10,Iop,Draconiros,Main",
			"Alice,20,Cra,Draconiros,Main",
			"Bob,10,Iop,Draconiros,Main",
			"Carol,30,Iop,Draconiros,Main",
		].join("\n");
		const job = await runImport(user.id, text);
		expect(job).toMatchObject({ state: "completed", attempts: 2 });
		const names = await charactersOf(account.id);
		expect(names.map((row) => row.name)).toEqual(["Bob", "Alice", "Carol"]);
		const ids = await db
			.select({ id: characters.id, name: characters.name })
			.from(characters)
			.innerJoin(gameAccounts, and(eq(gameAccounts.id, characters.accountId), eq(gameAccounts.userId, user.id)))
			.orderBy(characters.id);
		expect(job.output).toEqual({
			created: [
				{ line: 2, ...ids[0] },
				{ line: 3, ...ids[1] },
				{ line: 5, ...ids[2] },
			],
			rejected: [
				{
					line: 4,
					reason: "character.name_taken",
					message: 'A character named "Bob" already exists on Draconiros.',
				},
			],
		});
		expect(await fileRows(db)).toEqual([]);
	});
});
