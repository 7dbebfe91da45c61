// Character portraits on both storages: PUT re-encodes a real picture into 256 px and 64 px WebP without its metadata,
// refuses what is not a picture, another user's character, more than the quota and more than the rate limit; DELETE
// removes it; the character's JSON shows it; replacing or deleting the character removes the old files.
import { readdir } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import type { App } from "../../src/core/index.js";
import type { Database } from "../../src/db/index.js";
import { as } from "../helpers/calls.js";
import { type CharacterBody, createAccountAs, createCharacterAs } from "../helpers/domain.js";
import { publishedEvents } from "../helpers/events.js";
import {
	download,
	type FilesTestBed,
	fileRows,
	filesAppPerTest,
	objectKeys,
	pictureBytes,
	pictureInfo,
	storageDrivers,
	storedPictureBytes,
	uploadFile,
} from "../helpers/files.js";
import { type LoggedIn, signUp, type TestUser } from "../helpers/identity.js";
import { elfBytes } from "../helpers/multipart-body.js";

const MiB = 1024 * 1024;

describe.each(storageDrivers)("portraits ($driver)", (driver) => {
	let bed: FilesTestBed;
	let app: App;
	let db: Database;
	filesAppPerTest(driver, (fresh) => {
		bed = fresh;
		({ app, db } = fresh);
	});

	async function playerWithCharacter(): Promise<{ player: TestUser & LoggedIn; character: CharacterBody }> {
		const player = await signUp(app);
		const account = await createAccountAs(app, player);
		return { player, character: await createCharacterAs(app, player, account.id) };
	}

	const portraitUrl = (character: { id: number }) => `/api/characters/${character.id}/portrait`;

	describe("PUT /api/characters/{characterId}/portrait", () => {
		it("re-encodes a real PNG into a 256 px and a 64 px WebP, and answers where they are", async () => {
			const { player, character } = await playerWithCharacter();
			const response = await uploadFile(app, player, portraitUrl(character), await pictureBytes("png", 640, 480));
			expect(response).toAnswer(200, "portrait.saved");
			const { portrait } = response.json();
			expect(portrait).toEqual({
				fileId: expect.stringMatching(/^[0-9a-f-]{36}$/),
				url: `/api/files/${portrait.fileId}`,
				thumbnailUrl: expect.stringMatching(/^\/api\/files\/[0-9a-f-]{36}$/),
			});
			const full = await download(app, player, portrait.url);
			const thumbnail = await download(app, player, portrait.thumbnailUrl);
			expect([full.status, thumbnail.status]).toEqual([200, 200]);
			expect(await pictureInfo(full.bytes)).toMatchObject({ format: "webp", width: 256, height: 256 });
			expect(await pictureInfo(thumbnail.bytes)).toMatchObject({ format: "webp", width: 64, height: 64 });
			expect(full.headers["content-type"]).toBe("image/webp");
		});

		it("accepts a JPEG and drops its EXIF metadata", async () => {
			const { player, character } = await playerWithCharacter();
			const jpeg = await pictureBytes("jpeg", 300, 300, { exif: true });
			expect((await pictureInfo(jpeg)).exif).toBe(true);
			const response = await uploadFile(app, player, portraitUrl(character), jpeg, {
				filename: "me.jpg",
				type: "image/jpeg",
			});
			expect(response).toAnswer(200, "portrait.saved");
			const full = await download(app, player, response.json().portrait.url);
			expect(await pictureInfo(full.bytes)).toMatchObject({ format: "webp", exif: false });
			expect(full.bytes.includes(Buffer.from("Secret Artist"))).toBe(false);
		});

		it("accepts a WebP smaller than 256 px, enlarged to the portrait's size", async () => {
			const { player, character } = await playerWithCharacter();
			const response = await uploadFile(app, player, portraitUrl(character), await pictureBytes("webp", 40, 30), {
				filename: "tiny.webp",
				type: "image/webp",
			});
			expect(response).toAnswer(200, "portrait.saved");
			const full = await download(app, player, response.json().portrait.url);
			expect(await pictureInfo(full.bytes)).toMatchObject({ width: 256, height: 256 });
		});

		it("refuses an executable renamed .png with 415 FILE_TYPE_REJECTED, keeping nothing", async () => {
			const { player, character } = await playerWithCharacter();
			const response = await uploadFile(app, player, portraitUrl(character), elfBytes, { filename: "portrait.png" });
			expect(response).toAnswer(415, "FILE_TYPE_REJECTED");
			expect(await fileRows(db)).toEqual([]);
			expect(await objectKeys(bed.storage.storage)).toEqual([]);
		});

		it("refuses an HTML page renamed .png with 415 FILE_TYPE_REJECTED", async () => {
			const { player, character } = await playerWithCharacter();
			const page = Buffer.from("<!doctype html><html><script>alert(document.cookie)</script></html>");
			const response = await uploadFile(app, player, portraitUrl(character), page, { filename: "portrait.png" });
			expect(response).toAnswer(415, "FILE_TYPE_REJECTED");
			expect(await fileRows(db)).toEqual([]);
		});

		it("answers 422 image.unreadable for a PNG whose data is damaged", async () => {
			const { player, character } = await playerWithCharacter();
			const png = await pictureBytes("png", 200, 200);
			// The signature and header stay (so the type is PNG), the image data is cut short.
			const damaged = png.subarray(0, 100);
			const response = await uploadFile(app, player, portraitUrl(character), damaged);
			expect(response).toAnswer(422, "image.unreadable");
			expect(await fileRows(db)).toEqual([]);
		});

		it("answers 404 character.notfound for another user's character, before reading the upload", async () => {
			const { character } = await playerWithCharacter();
			const stranger = await signUp(app);
			const response = await uploadFile(app, stranger, portraitUrl(character), await pictureBytes("png", 64, 64));
			expect(response).toAnswer(404, "character.notfound");
			expect(await fileRows(db)).toEqual([]);
		});

		it("answers 401 to an anonymous caller", async () => {
			const { character } = await playerWithCharacter();
			const response = await uploadFile(
				app,
				{ headers: { authorization: "" } },
				portraitUrl(character),
				Buffer.alloc(10),
			);
			expect(response.statusCode).toBe(401);
		});

		it("answers 413 to a file over 2 MiB", async () => {
			const { player, character } = await playerWithCharacter();
			const png = await pictureBytes("png", 64, 64);
			const oversized = Buffer.concat([png, Buffer.alloc(2 * MiB)]);
			const response = await uploadFile(app, player, portraitUrl(character), oversized);
			expect(response).toAnswer(413, "PAYLOAD_TOO_LARGE");
			expect(await fileRows(db)).toEqual([]);
		});

		it("replaces the previous portrait: its files and objects go once the deletion log is drained", async () => {
			const { player, character } = await playerWithCharacter();
			const first = (await uploadFile(app, player, portraitUrl(character), await pictureBytes("png", 100, 100))).json();
			const second = await uploadFile(app, player, portraitUrl(character), await pictureBytes("jpeg", 120, 90), {
				type: "image/jpeg",
			});
			expect(second).toAnswer(200, "portrait.saved");
			await bed.deletions.drain();
			const rows = await fileRows(db);
			expect(rows.map((row) => row.purpose).sort()).toEqual(["portrait", "portrait-thumbnail"]);
			expect(rows.map((row) => row.id)).not.toContain(first.portrait.fileId);
			expect(await objectKeys(bed.storage.storage)).toEqual(rows.map((row) => row.storageKey).sort());
			expect((await as(app, player).get(first.portrait.url)).statusCode).toBe(404);
		});

		it("publishes character.updated with the new portrait to whoever hears of the character", async () => {
			const { player, character } = await playerWithCharacter();
			const response = await uploadFile(app, player, portraitUrl(character), await pictureBytes("png", 64, 64));
			const event = (await publishedEvents(db)).at(-1);
			expect(event).toMatchObject({
				type: "character.updated",
				audience: expect.arrayContaining([`user:${player.id}`]),
				data: { id: character.id, portrait: response.json().portrait },
			});
		});

		it("leaves no temporary file in the upload directory once answered", async () => {
			const { player, character } = await playerWithCharacter();
			await uploadFile(app, player, portraitUrl(character), await pictureBytes("png", 64, 64));
			await uploadFile(app, player, portraitUrl(character), elfBytes);
			await expect.poll(() => readdir(bed.uploads)).toEqual([]);
		});
	});

	describe("quotas and rate limits", () => {
		it("lets one of two parallel uploads through and refuses the other 413 quota.exceeded when both do not fit", async () => {
			const player = await signUp(app);
			const account = await createAccountAs(app, player);
			const first = await createCharacterAs(app, player, account.id);
			const second = await createCharacterAs(app, player, account.id);
			const png = await pictureBytes("png", 300, 300);
			const stored = await storedPictureBytes(png);
			const limited = bed.rebuild({ UPLOAD_QUOTA_BYTES: Math.floor(stored * 1.5) });
			const answers = await Promise.all([
				uploadFile(limited, player, portraitUrl(first), png),
				uploadFile(limited, player, portraitUrl(second), png),
			]);
			expect(answers.map((answer) => answer.statusCode).sort()).toEqual([200, 413]);
			const refused = answers.find((answer) => answer.statusCode === 413);
			expect(refused?.info).toBe("quota.exceeded");
			expect(refused?.json()).toMatchObject({ usedBytes: stored, quotaBytes: Math.floor(stored * 1.5) });
			await bed.deletions.drain();
			expect(await fileRows(db)).toHaveLength(2);
			expect(await objectKeys(bed.storage.storage)).toHaveLength(2);
		});

		it("answers 429 upload.rate_limited with Retry-After past UPLOADS_PER_MINUTE, and lets uploads go a minute later", async () => {
			const limited = bed.rebuild({ UPLOADS_PER_MINUTE: 2 });
			const { clock } = bed;
			const { player, character } = await playerWithCharacter();
			const png = await pictureBytes("png", 64, 64);
			expect((await uploadFile(limited, player, portraitUrl(character), png)).statusCode).toBe(200);
			clock.advance(20_000);
			// A refused upload counts too: the limit is on the work uploads cost.
			expect((await uploadFile(limited, player, portraitUrl(character), elfBytes)).statusCode).toBe(415);
			const refused = await uploadFile(limited, player, portraitUrl(character), png);
			expect(refused).toAnswer(429, "upload.rate_limited");
			expect(refused.headers["retry-after"]).toBe("40");
			clock.advance(40_000);
			expect((await uploadFile(limited, player, portraitUrl(character), png)).statusCode).toBe(200);
		});
	});

	describe("DELETE /api/characters/{characterId}/portrait", () => {
		it("removes the portrait and its thumbnail; the character then shows none", async () => {
			const { player, character } = await playerWithCharacter();
			await uploadFile(app, player, portraitUrl(character), await pictureBytes("png", 64, 64));
			expect(await as(app, player).delete(portraitUrl(character))).toAnswer(204, "portrait.deleted");
			await bed.deletions.drain();
			expect(await fileRows(db)).toEqual([]);
			expect(await objectKeys(bed.storage.storage)).toEqual([]);
			expect((await as(app, player).get(`/api/characters/${character.id}`)).json().character.portrait).toBeNull();
		});

		it("answers 404 portrait.notfound when there is none, and character.notfound for another user's", async () => {
			const { player, character } = await playerWithCharacter();
			expect(await as(app, player).delete(portraitUrl(character))).toAnswer(404, "portrait.notfound");
			const stranger = await signUp(app);
			expect(await as(app, stranger).delete(portraitUrl(character))).toAnswer(404, "character.notfound");
		});
	});

	describe("the character's JSON", () => {
		it("shows the portrait in GET, PATCH and the list, and null for a character without one", async () => {
			const { player, character } = await playerWithCharacter();
			const other = await createCharacterAs(app, player, character.accountId);
			const { portrait } = (
				await uploadFile(app, player, portraitUrl(character), await pictureBytes("png", 64, 64))
			).json();
			const caller = as(app, player);
			expect((await caller.get(`/api/characters/${character.id}`)).json().character.portrait).toEqual(portrait);
			const patched = await caller.patch(`/api/characters/${character.id}`, { level: 150 });
			expect(patched.json().character.portrait).toEqual(portrait);
			const listed = (await caller.get("/api/characters")).json().characters as (CharacterBody & {
				portrait: unknown;
			})[];
			expect(listed.find((row) => row.id === character.id)?.portrait).toEqual(portrait);
			expect(listed.find((row) => row.id === other.id)?.portrait).toBeNull();
		});
	});

	describe("deleting what a portrait belongs to", () => {
		it("deleting the character deletes its portrait's rows at once and its objects after the commit", async () => {
			const { player, character } = await playerWithCharacter();
			await uploadFile(app, player, portraitUrl(character), await pictureBytes("png", 64, 64));
			expect(await objectKeys(bed.storage.storage)).toHaveLength(2);
			expect((await as(app, player).delete(`/api/characters/${character.id}`)).statusCode).toBe(204);
			expect(await fileRows(db)).toEqual([]);
			expect(await bed.deletions.drain()).toBe(2);
			expect(await objectKeys(bed.storage.storage)).toEqual([]);
		});

		it("deleting the game account with its characters deletes their portraits", async () => {
			const { player, character } = await playerWithCharacter();
			await uploadFile(app, player, portraitUrl(character), await pictureBytes("png", 64, 64));
			const deleted = await as(app, player).delete(`/api/accounts/${character.accountId}?cascade=true`);
			expect(deleted.statusCode).toBe(204);
			expect(await fileRows(db)).toEqual([]);
			await bed.deletions.drain();
			expect(await objectKeys(bed.storage.storage)).toEqual([]);
		});

		it("bulk-deleting characters deletes their portraits", async () => {
			const { player, character } = await playerWithCharacter();
			await uploadFile(app, player, portraitUrl(character), await pictureBytes("png", 64, 64));
			const deleted = await as(app, player).post("/api/characters/bulk-delete", { ids: [character.id] });
			expect(deleted.json()).toEqual({ deleted: 1 });
			expect(await fileRows(db)).toEqual([]);
		});
	});
});
