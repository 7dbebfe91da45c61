// POST /api/characters/import on both storages, with the workers the runtime starts: 202 and the job, whose owner alone
// reads it; the good rows created (and listed by GET /api/characters), the bad ones rejected with their line and
// reason; progress counting rows; the file gone once the job is over; and what the upload itself refuses.
import { pino } from "pino";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.js";
import type { App } from "../../src/core/index.js";
import type { Database } from "../../src/db/index.js";
import { jobKinds } from "../../src/jobs/kinds.js";
import type { JobQueue } from "../../src/jobs/queue.js";
import { startWorkers } from "../../src/workers/index.js";
import { anonymous, as } from "../helpers/calls.js";
import { getTestDatabase, resetTestDatabase, testJobQueueOf } from "../helpers/database.js";
import { createAccountAs, createCharacterAs } from "../helpers/domain.js";
import { type FilesTestBed, fileRows, filesAppPerTest, objectKeys, storageDrivers } from "../helpers/files.js";
import { buildIdentityApp, type LoggedIn, signUp, type TestUser } from "../helpers/identity.js";
import { startTestJobQueue, waitForJob } from "../helpers/jobs.js";
import { formBody, tinyPng } from "../helpers/multipart-body.js";

const MiB = 1024 * 1024;
const header = "name,level,class,server,account";

/** POSTs `content` as the form part `file` (characters.csv, text/csv unless told otherwise). */
function importCsv(
	app: App,
	user: LoggedIn,
	content: string | Buffer,
	part: { filename?: string; type?: string } = {},
) {
	const form = formBody([
		{ name: "file", filename: part.filename ?? "characters.csv", type: part.type ?? "text/csv", content },
	]);
	return app.inject({
		method: "POST",
		url: "/api/characters/import",
		headers: { ...user.headers, "content-type": form.contentType },
		body: form.body,
	});
}

describe.each(storageDrivers)("POST /api/characters/import ($driver)", (driver) => {
	let bed: FilesTestBed;
	let app: App;
	let db: Database;
	/** The workers, as runtime.ts starts them on this storage; stopped with this storage's tests. */
	let worker: { jobs: JobQueue; stop: () => Promise<void> } | undefined;
	filesAppPerTest(driver, (fresh) => {
		bed = fresh;
		({ app, db } = fresh);
	});
	beforeEach(async () => {
		if (worker !== undefined) return;
		const jobs = await startTestJobQueue(bed.handle, jobKinds);
		const config = loadConfig({ APP_ENV: "TEST", CLEANUP_CRON: "off", DOFUSDB_SYNC_CRON: "off" });
		const logger = pino({ level: "silent" });
		const stopFollowing = await startWorkers({
			config,
			logger,
			database: bed.handle,
			jobs,
			storage: bed.storage.storage,
		});
		worker = { jobs, stop: stopFollowing };
	});
	// The other storage's tests enqueue on the same database: this worker must not take their jobs.
	afterAll(async () => {
		await worker?.stop();
		await worker?.jobs.stop({ timeoutMs: 2000 });
	});

	/** A player with a game account named "Main". */
	async function player(): Promise<{ user: TestUser & LoggedIn; accountId: number }> {
		const user = await signUp(app);
		return { user, accountId: (await createAccountAs(app, user, { name: "Main" })).id };
	}

	/** Imports `text` as `user` and waits for the job to end; the job as its owner reads it. */
	async function imported(user: LoggedIn, text: string) {
		const response = await importCsv(app, user, text);
		expect(response).toAnswer(202, "character.import_queued");
		await waitForJob(testJobQueueOf(db), response.json().job.id);
		const read = await as(app, user).get(String(response.headers.location));
		expect(read).toAnswer(200, "job.found");
		return read.json().job;
	}

	it("answers 202 character.import_queued with the job, and where to follow it", async () => {
		const { user } = await player();
		const response = await importCsv(app, user, `${header}\nBob,12,Iop,Draconiros,Main\n`);
		expect(response).toAnswer(202, "character.import_queued");
		const { job } = response.json();
		expect(response.headers.location).toBe(`/api/jobs/${job.id}`);
		expect(job).toMatchObject({ id: expect.stringMatching(/^[0-9a-f-]{36}$/), name: "characters.import" });
		// The worker may have taken it already.
		expect(["queued", "active", "completed"]).toContain(job.state);
	});

	it("creates the good rows and rejects the bad ones with their line, reason and message", async () => {
		const { user, accountId } = await player();
		const other = await signUp(app);
		await createAccountAs(app, other, { name: "Theirs" });
		const taken = await createCharacterAs(app, other, (await createAccountAs(app, other)).id, { name: "Taken" });
		const text = [
			header,
			"Bob,12,Iop,Draconiros,Main",
			"Alice,,cra,dakal,main",
			"Ghost,50,Wizard,Draconiros,Main",
			"Nowhere,50,Iop,Atlantis,Main",
			"Thief,50,Iop,Draconiros,Theirs",
			"Baby,0,Iop,Draconiros,Main",
			"bob,30,Cra,Draconiros,Main",
			",20,Iop,Draconiros,Main",
			"Extra,20,Iop,Draconiros,Main,surplus",
			"Taken,20,Iop,Draconiros,Main",
			"Carol,200,8,2,Main",
		].join("\n");
		const job = await imported(user, text);
		expect(job.state).toBe("completed");
		expect(job.output).toEqual({
			created: [
				{ line: 2, id: expect.any(Number), name: "Bob" },
				{ line: 3, id: expect.any(Number), name: "Alice" },
				{ line: 12, id: expect.any(Number), name: "Carol" },
			],
			rejected: [
				{
					line: 4,
					reason: "class.notfound",
					message: 'No class is named "Wizard": use a name or an id of GET /api/classes.',
				},
				{
					line: 5,
					reason: "server.notfound",
					message: 'No server is named "Atlantis": use a name or an id of GET /api/servers.',
				},
				{ line: 6, reason: "account.notfound", message: 'You have no game account named "Theirs".' },
				{
					line: 7,
					reason: "character.level_invalid",
					message: 'The level is a whole number from 1 to 200 (empty for 1), not "0".',
				},
				{
					line: 8,
					reason: "character.name_taken",
					message: 'A character named "bob" already exists on Draconiros.',
				},
				{ line: 9, reason: "character.name_invalid", message: "The name is empty." },
				{ line: 10, reason: "row.too_many_values", message: "This line has 1 value past the header's columns." },
				{
					line: 11,
					reason: "character.name_taken",
					message: 'A character named "Taken" already exists on Draconiros.',
				},
			],
		});
		const list = await as(app, user).get("/api/characters?sort=level");
		expect(list).toAnswer(200, "character.list");
		expect(list.json().characters).toEqual([
			expect.objectContaining({ name: "Alice", level: 1, classId: 9, serverId: 1, accountId }),
			expect.objectContaining({ name: "Bob", level: 12, classId: 8, serverId: 2, accountId }),
			expect.objectContaining({ name: "Carol", level: 200, classId: 8, serverId: 2, accountId }),
		]);
		// The other player's characters are as they were.
		const theirs = (await as(app, other).get("/api/characters")).json().characters;
		expect(theirs.map((character: { id: number }) => character.id)).toEqual([taken.id]);
	});

	it("reports progress counting the rows", async () => {
		const { user } = await player();
		const rows = Array.from({ length: 30 }, (_, index) => `Perso${index},1,Iop,Draconiros,Main`);
		const job = await imported(user, [header, ...rows, ",1,Iop,Draconiros,Main"].join("\n"));
		expect(job.progress).toEqual({ done: 31, total: 31, message: "31 of 31 rows: 30 created, 1 rejected" });
	});

	it("shows the job to its owner only: another user gets 404 job.not_found", async () => {
		const { user } = await player();
		const response = await importCsv(app, user, `${header}\nBob,12,Iop,Draconiros,Main\n`);
		const stranger = await signUp(app);
		expect(await as(app, stranger).get(String(response.headers.location))).toAnswer(404, "job.not_found");
		expect(await as(app, user).get(String(response.headers.location))).toAnswer(200, "job.found");
	});

	it("deletes the uploaded file and its object once the job is over", async () => {
		const { user } = await player();
		const response = await importCsv(app, user, `${header}\nBob,12,Iop,Draconiros,Main\n`);
		await waitForJob(testJobQueueOf(db), response.json().job.id);
		expect(await fileRows(db)).toEqual([]);
		await expect.poll(() => objectKeys(bed.storage.storage)).toEqual([]);
	});

	it("fails the job, with what the header lacks, for a file without a header; the file is deleted", async () => {
		const { user } = await player();
		const job = await imported(user, "Bob,12,Iop,Draconiros,Main\n");
		expect(job).toMatchObject({ state: "failed", attempts: 1 });
		expect(job.error).toMatch(/^The header \(line 1\) lacks the columns name, class, server, account/);
		expect(await fileRows(db)).toEqual([]);
	});

	it("takes a .csv file as Windows browsers declare it, application/vnd.ms-excel", async () => {
		const { user } = await player();
		const response = await importCsv(app, user, `${header}\nBob,12,Iop,Draconiros,Main\n`, {
			type: "application/vnd.ms-excel",
		});
		expect(response).toAnswer(202, "character.import_queued");
	});

	it("refuses what is not CSV with 415 FILE_TYPE_REJECTED, keeping nothing", async () => {
		const { user } = await player();
		const response = await importCsv(app, user, tinyPng, { filename: "characters.csv" });
		expect(response).toAnswer(415, "FILE_TYPE_REJECTED");
		expect(await fileRows(db)).toEqual([]);
		expect((await as(app, user).get("/api/jobs")).json().jobs).toEqual([]);
	});

	it("refuses a file over 5 MiB with 413 PAYLOAD_TOO_LARGE", async () => {
		const { user } = await player();
		const row = "Perso,1,Iop,Draconiros,Main\n";
		const big = `${header}\n${row.repeat(Math.ceil((5 * MiB) / row.length) + 1)}`;
		const response = await importCsv(app, user, big);
		expect(response).toAnswer(413, "PAYLOAD_TOO_LARGE");
		expect(await fileRows(db)).toEqual([]);
	});

	it("answers 413 quota.exceeded when the file does not fit the user's quota", async () => {
		const limited = bed.rebuild({ UPLOAD_QUOTA_BYTES: 10 });
		const user = await signUp(limited);
		const response = await importCsv(limited, user, `${header}\n`);
		expect(response).toAnswer(413, "quota.exceeded");
		expect(response.json()).toMatchObject({ usedBytes: 0, quotaBytes: 10 });
		expect(await fileRows(db)).toEqual([]);
	});

	it("answers 429 upload.rate_limited with Retry-After past UPLOADS_PER_MINUTE", async () => {
		const limited = bed.rebuild({ UPLOADS_PER_MINUTE: 1 });
		const user = await signUp(limited);
		expect(await importCsv(limited, user, `${header}\n`)).toAnswer(202, "character.import_queued");
		const refused = await importCsv(limited, user, `${header}\n`);
		expect(refused).toAnswer(429, "upload.rate_limited");
		expect(Number(refused.headers["retry-after"])).toBeGreaterThan(0);
	});

	it("answers 401 to a caller without a session", async () => {
		expect(await anonymous(app).post("/api/characters/import")).toAnswer(401, "session.missing");
	});
});

describe("POST /api/characters/import without storage", () => {
	let app: App;
	beforeEach(async () => {
		const db = await getTestDatabase();
		await resetTestDatabase(db);
		({ app } = buildIdentityApp(db));
	});

	it("answers 503 storage.unavailable with Retry-After, queueing nothing", async () => {
		const user = await signUp(app);
		const response = await importCsv(app, user, `${header}\nBob,12,Iop,Draconiros,Main\n`);
		expect(response).toAnswer(503, "storage.unavailable");
		expect(response.headers["retry-after"]).toBe("5");
		expect((await as(app, user).get("/api/jobs")).json().jobs).toEqual([]);
	});
});
