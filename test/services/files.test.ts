// The files service on both storages: storing under a quota reserved first (parallel stores cannot both pass), what a
// failed store leaves (nothing), replacing a subject's file, removing, and the deletion log that removes objects.
import { Readable } from "node:stream";
import { eq } from "drizzle-orm";
import { pino } from "pino";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Database } from "../../src/db/index.js";
import { characters, files, users } from "../../src/db/schema/index.js";
import { createFileDeletions, type FileDeletions } from "../../src/services/file-deletions.js";
import { createFileService, type FileService, FileSubjectGoneError } from "../../src/services/files.js";
import { createUploadQuota, QuotaExceededError } from "../../src/services/quota.js";
import { bufferStream, failingStream, generatedSha256, generatedStream, readAll } from "../helpers/byte-streams.js";
import { getTestDatabase, resetTestDatabase } from "../helpers/database.js";
import { deletionLog, fileRows, objectKeys, storageDrivers, type TestStorage } from "../helpers/files.js";
import { createCharacter, createGameAccount, createUser } from "../helpers/fixtures.js";

const quotaBytes = 10_000;
const silent = pino({ level: "silent" });

let db: Database;

beforeAll(async () => {
	db = await getTestDatabase();
});

describe.each(storageDrivers)("the files service ($driver)", ({ start }) => {
	let subject: TestStorage;
	let service: FileService;
	let deletions: FileDeletions;
	let ownerId: number;

	beforeAll(async () => {
		subject = await start();
	});

	beforeEach(async () => {
		await resetTestDatabase(db);
		// Objects of earlier tests (and their deletion logs, emptied by the reset) must not count here.
		for (const key of await objectKeys(subject.storage)) await subject.storage.delete(key);
		service = createFileService({
			db,
			storage: subject.storage,
			quota: createUploadQuota(quotaBytes),
			urlSeconds: 300,
		});
		deletions = createFileDeletions({ db, storage: subject.storage, logger: silent });
		ownerId = (await createUser(db)).id;
	});

	const bytes = (size: number, seed = 1) => ({
		body: generatedStream(size, seed),
		size,
		contentType: "text/csv",
		originalName: "roster.csv",
	});

	describe("store", () => {
		it("stores the bytes under a generated key and a stored row with their size and digest", async () => {
			const { file } = await service.store({ ownerId, purpose: "character-import", file: bytes(4_000) });
			expect(file).toMatchObject({
				ownerId,
				purpose: "character-import",
				state: "stored",
				size: 4_000,
				sha256: generatedSha256(4_000),
				contentType: "text/csv",
				originalName: "roster.csv",
			});
			expect(file.storageKey).toMatch(/^files\/[0-9a-f-]{36}$/);
			expect(await objectKeys(subject.storage)).toEqual([file.storageKey]);
			const opened = await service.open(file.id);
			expect((await readAll(opened?.object.body ?? bufferStream(""))).length).toBe(4_000);
		});

		it("refuses bytes that would pass the owner's quota before reading any, storing nothing", async () => {
			await service.store({ ownerId, purpose: "character-import", file: bytes(6_000) });
			const refused = service.store({ ownerId, purpose: "character-import", file: bytes(6_000, 2) });
			await expect(refused).rejects.toBeInstanceOf(QuotaExceededError);
			await expect(refused).rejects.toMatchObject({ quotaBytes, usedBytes: 6_000, requestedBytes: 6_000 });
			expect(await fileRows(db)).toHaveLength(1);
			expect(await objectKeys(subject.storage)).toHaveLength(1);
		});

		it("lets one of two parallel stores that together pass the quota through, and refuses the other", async () => {
			const outcomes = await Promise.allSettled([
				service.store({ ownerId, purpose: "character-import", file: bytes(6_000, 1) }),
				service.store({ ownerId, purpose: "character-import", file: bytes(6_000, 2) }),
			]);
			expect(outcomes.map((outcome) => outcome.status).sort()).toEqual(["fulfilled", "rejected"]);
			const refused = outcomes.find((outcome) => outcome.status === "rejected") as PromiseRejectedResult;
			expect(refused.reason).toBeInstanceOf(QuotaExceededError);
			expect(await service.quota.usage(db, ownerId)).toEqual({ usedBytes: 6_000, quotaBytes });
		});

		it("counts a file and its variants in one reservation", async () => {
			const stored = await service.store(
				{ ownerId, purpose: "character-import", file: bytes(3_000) },
				{ variants: [{ purpose: "character-import", file: bytes(2_000, 2) }] },
			);
			expect(stored.variants).toHaveLength(1);
			expect(stored.variants[0]?.variantOf).toBe(stored.file.id);
			expect(await service.quota.usage(db, ownerId)).toEqual({ usedBytes: 5_000, quotaBytes });
		});

		it("leaves no row, no object and no quota used when the source fails midway", async () => {
			const failing = { ...bytes(8_000), body: failingStream(3_000) };
			await expect(service.store({ ownerId, purpose: "character-import", file: failing })).rejects.toThrow(
				"the client went away",
			);
			await deletions.drain();
			expect(await fileRows(db)).toEqual([]);
			expect(await objectKeys(subject.storage)).toEqual([]);
			expect(await service.quota.usage(db, ownerId)).toEqual({ usedBytes: 0, quotaBytes });
		});

		it("keeps nothing when bytes of another size than announced arrive", async () => {
			const short = { ...bytes(5_000), body: generatedStream(4_000) };
			await expect(service.store({ ownerId, purpose: "character-import", file: short })).rejects.toThrow();
			await deletions.drain();
			expect(await fileRows(db)).toEqual([]);
			expect(await objectKeys(subject.storage)).toEqual([]);
		});

		it("with replaceExisting, swaps the subject's file and its variants out for the new one", async () => {
			const account = await createGameAccount(db, ownerId);
			const character = await createCharacter(db, account.id);
			const store = (seed: number) =>
				service.store(
					{
						ownerId,
						purpose: "portrait",
						characterId: character.id,
						file: { ...bytes(1_000, seed), contentType: "image/webp" },
					},
					{
						replaceExisting: true,
						variants: [{ purpose: "portrait-thumbnail", file: { ...bytes(100, seed), contentType: "image/webp" } }],
					},
				);
			await store(1);
			const second = await store(2);
			await deletions.drain();
			const rows = await fileRows(db);
			expect(rows.map((row) => row.id).sort()).toEqual([second.file.id, second.variants[0]?.id].sort());
			expect(await objectKeys(subject.storage)).toEqual(rows.map((row) => row.storageKey).sort());
		});

		it("answers FileSubjectGoneError, keeping nothing, when the character goes while its bytes are stored", async () => {
			const account = await createGameAccount(db, ownerId);
			const character = await createCharacter(db, account.id);
			let release: () => void = () => undefined;
			const held = new Promise<void>((resolve) => {
				release = resolve;
			});
			// The body waits until the character is deleted, as a slow upload would.
			async function* slowly() {
				await held;
				yield Buffer.alloc(1_000, 1);
			}
			const storing = service.store({
				ownerId,
				purpose: "portrait",
				characterId: character.id,
				file: {
					body: Readable.from(slowly()),
					size: 1_000,
					contentType: "image/webp",
					originalName: "p.webp",
				},
			});
			await new Promise((resolve) => setTimeout(resolve, 50));
			await db.delete(characters).where(eq(characters.id, character.id));
			release();
			await expect(storing).rejects.toBeInstanceOf(FileSubjectGoneError);
			await deletions.drain();
			expect(await fileRows(db)).toEqual([]);
			expect(await objectKeys(subject.storage)).toEqual([]);
		});
	});

	describe("remove and the deletion log", () => {
		it("deletes the row at once (releasing the quota) and the object once the log is drained", async () => {
			const { file } = await service.store({ ownerId, purpose: "character-import", file: bytes(2_000) });
			expect(await service.remove(file.id)).toBe(true);
			expect(await service.find(file.id)).toBeUndefined();
			expect(await service.quota.usage(db, ownerId)).toEqual({ usedBytes: 0, quotaBytes });
			expect((await deletionLog(db)).map((line) => line.storageKey)).toEqual([file.storageKey]);
			expect(await deletions.drain()).toBe(1);
			expect(await objectKeys(subject.storage)).toEqual([]);
			expect(await deletionLog(db)).toEqual([]);
		});

		it("logs the objects of files deleted by cascade (their character's game account deleted)", async () => {
			const account = await createGameAccount(db, ownerId);
			const character = await createCharacter(db, account.id);
			const { file } = await service.store({
				ownerId,
				purpose: "portrait",
				characterId: character.id,
				file: { ...bytes(500), contentType: "image/webp" },
			});
			await db.delete(users).where(eq(users.id, ownerId));
			expect((await deletionLog(db)).map((line) => line.storageKey)).toEqual([file.storageKey]);
			await deletions.drain();
			expect(await objectKeys(subject.storage)).toEqual([]);
		});

		it("logs nothing for a deletion that rolls back", async () => {
			const { file } = await service.store({ ownerId, purpose: "character-import", file: bytes(500) });
			await expect(
				db.transaction(async (tx) => {
					await tx.delete(files).where(eq(files.id, file.id));
					throw new Error("changed my mind");
				}),
			).rejects.toThrow("changed my mind");
			expect(await deletionLog(db)).toEqual([]);
			expect(await service.find(file.id)).toBeDefined();
		});
	});
});
