// Guild emblems on both storages: PUT and DELETE need guild.manage, the guild's JSON shows the emblem, its members hear
// of it, and deleting the guild removes its files; the emblem stays when the member who uploaded it goes.
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import type { App } from "../../src/core/index.js";
import type { Database } from "../../src/db/index.js";
import { users } from "../../src/db/schema/index.js";
import { as } from "../helpers/calls.js";
import { publishedEvents } from "../helpers/events.js";
import {
	type FilesTestBed,
	fileRows,
	filesAppPerTest,
	objectKeys,
	pictureBytes,
	storageDrivers,
	uploadFile,
} from "../helpers/files.js";
import { createGuildWithMember } from "../helpers/identity.js";

describe.each(storageDrivers)("guild emblems ($driver)", (driver) => {
	let bed: FilesTestBed;
	let app: App;
	let db: Database;
	filesAppPerTest(driver, (fresh) => {
		bed = fresh;
		({ app, db } = fresh);
	});

	const emblemUrl = (guildId: number) => `/api/guilds/${guildId}/emblem`;

	describe("PUT /api/guilds/{guildId}/emblem", () => {
		it("stores the emblem for a member with guild.manage and shows it in the guild's JSON", async () => {
			const { owner, guildId } = await createGuildWithMember(app);
			const response = await uploadFile(app, owner, emblemUrl(guildId), await pictureBytes("png", 200, 100));
			expect(response).toAnswer(200, "emblem.saved");
			const { emblem } = response.json();
			expect(emblem).toEqual({
				fileId: expect.any(String),
				url: `/api/files/${emblem.fileId}`,
				thumbnailUrl: expect.stringMatching(/^\/api\/files\//),
			});
			expect((await as(app, owner).get(`/api/guilds/${guildId}`)).json().guild.emblem).toEqual(emblem);
			const rows = await fileRows(db);
			expect(rows.map((row) => [row.purpose, row.guildId, row.ownerId]).sort()).toEqual([
				["emblem", guildId, owner.id],
				["emblem-thumbnail", guildId, owner.id],
			]);
		});

		it("answers 403 right.missing to a member without guild.manage, before reading the upload", async () => {
			const { member, guildId } = await createGuildWithMember(app);
			const response = await uploadFile(app, member, emblemUrl(guildId), await pictureBytes("png", 64, 64));
			expect(response).toAnswer(403, "right.missing");
			expect(await fileRows(db)).toEqual([]);
		});

		it("answers 404 guild.notfound to someone outside the guild", async () => {
			const { guildId } = await createGuildWithMember(app);
			const { owner: outsider } = await createGuildWithMember(app);
			const response = await uploadFile(app, outsider, emblemUrl(guildId), await pictureBytes("png", 64, 64));
			expect(response).toAnswer(404, "guild.notfound");
		});

		it("publishes guild.updated with the emblem to the guild", async () => {
			const { owner, guildId } = await createGuildWithMember(app);
			const { emblem } = (await uploadFile(app, owner, emblemUrl(guildId), await pictureBytes("png", 64, 64))).json();
			expect((await publishedEvents(db)).at(-1)).toMatchObject({
				type: "guild.updated",
				audience: [`guild:${guildId}`],
				data: { id: guildId, emblem },
			});
		});
	});

	describe("what an emblem upload is refused for", () => {
		it("answers 422 image.unreadable, 413 quota.exceeded and 429 upload.rate_limited like a portrait", async () => {
			const limited = bed.rebuild({ UPLOAD_QUOTA_BYTES: 1_000, UPLOADS_PER_MINUTE: 2 });
			const { owner, guildId } = await createGuildWithMember(limited);
			const damaged = (await pictureBytes("png", 200, 200)).subarray(0, 100);
			expect(await uploadFile(limited, owner, emblemUrl(guildId), damaged)).toAnswer(422, "image.unreadable");
			const large = await pictureBytes("png", 400, 400);
			expect(await uploadFile(limited, owner, emblemUrl(guildId), large)).toAnswer(413, "quota.exceeded");
			const refused = await uploadFile(limited, owner, emblemUrl(guildId), large);
			expect(refused).toAnswer(429, "upload.rate_limited");
			expect(Number(refused.headers["retry-after"])).toBeGreaterThan(0);
		});
	});

	describe("DELETE /api/guilds/{guildId}/emblem", () => {
		it("answers 403 right.missing to a member without guild.manage, 404 guild.notfound to an outsider", async () => {
			const { owner, member, guildId } = await createGuildWithMember(app);
			await uploadFile(app, owner, emblemUrl(guildId), await pictureBytes("png", 64, 64));
			expect(await as(app, member).delete(emblemUrl(guildId))).toAnswer(403, "right.missing");
			const { owner: outsider } = await createGuildWithMember(app);
			expect(await as(app, outsider).delete(emblemUrl(guildId))).toAnswer(404, "guild.notfound");
			expect(await fileRows(db)).toHaveLength(2);
		});

		it("removes the emblem; then there is none to remove", async () => {
			const { owner, guildId } = await createGuildWithMember(app);
			await uploadFile(app, owner, emblemUrl(guildId), await pictureBytes("png", 64, 64));
			expect(await as(app, owner).delete(emblemUrl(guildId))).toAnswer(204, "emblem.deleted");
			expect(await as(app, owner).delete(emblemUrl(guildId))).toAnswer(404, "emblem.notfound");
			await bed.deletions.drain();
			expect(await objectKeys(bed.storage.storage)).toEqual([]);
		});
	});

	describe("what becomes of an emblem", () => {
		it("goes with its guild: rows at once, objects after the commit", async () => {
			const { owner, guildId } = await createGuildWithMember(app);
			await uploadFile(app, owner, emblemUrl(guildId), await pictureBytes("png", 64, 64));
			expect((await as(app, owner).delete(`/api/guilds/${guildId}`)).statusCode).toBe(204);
			expect(await fileRows(db)).toEqual([]);
			await bed.deletions.drain();
			expect(await objectKeys(bed.storage.storage)).toEqual([]);
		});

		it("stays with the guild when the member who uploaded it is deleted, counted against no one", async () => {
			const { owner, member, guildId } = await createGuildWithMember(app);
			await uploadFile(app, owner, emblemUrl(guildId), await pictureBytes("png", 64, 64));
			await db.delete(users).where(eq(users.id, owner.id));
			const rows = await fileRows(db);
			expect(rows.map((row) => row.ownerId)).toEqual([null, null]);
			expect((await as(app, member).get(`/api/guilds/${guildId}`)).json().guild.emblem).not.toBeNull();
		});
	});
});
