// An app built without a storage (or whose storage is down): uploads and downloads answer 503 storage.unavailable with
// Retry-After, and keep nothing, rather than failing with a 500.
import { describe, expect, it } from "vitest";
import type { App } from "../../src/core/index.js";
import type { Database } from "../../src/db/index.js";
import { files } from "../../src/db/schema/index.js";
import { newObjectKey, urlSignerFromConfig } from "../../src/storage/index.js";
import { anonymous, as } from "../helpers/calls.js";
import { createAccountAs, createCharacterAs } from "../helpers/domain.js";
import { fileRows, pictureBytes, uploadFile } from "../helpers/files.js";
import { createGuildWithMember, freshAppPerTest, signUp } from "../helpers/identity.js";

let db: Database;
let app: App;
freshAppPerTest((fresh) => ({ db, app } = fresh));

describe("without a storage", () => {
	it("PUT /api/characters/{characterId}/portrait answers 503 storage.unavailable and keeps no row", async () => {
		const player = await signUp(app);
		const account = await createAccountAs(app, player);
		const character = await createCharacterAs(app, player, account.id);
		const png = await pictureBytes("png", 64, 64);
		const response = await uploadFile(app, player, `/api/characters/${character.id}/portrait`, png);
		expect(response).toAnswer(503, "storage.unavailable");
		expect(response.headers["retry-after"]).toBe("5");
		expect(await fileRows(db)).toEqual([]);
	});

	it("PUT /api/guilds/{guildId}/emblem answers 503 storage.unavailable", async () => {
		const { owner, guildId } = await createGuildWithMember(app);
		const png = await pictureBytes("png", 64, 64);
		expect(await uploadFile(app, owner, `/api/guilds/${guildId}/emblem`, png)).toAnswer(503, "storage.unavailable");
	});

	/** A stored file row (as if a storage had been there when it was uploaded), and a signed URL of it. */
	async function storedFile(ownerId: number) {
		const storageKey = newObjectKey("files");
		const [file] = await db
			.insert(files)
			.values({
				ownerId,
				purpose: "character-import",
				state: "stored",
				storageKey,
				contentType: "text/csv",
				size: 3,
				sha256: "a".repeat(64),
				originalName: "roster.csv",
			})
			.returning();
		const url = urlSignerFromConfig({ APP_ENV: "TEST" }).sign({
			key: storageKey,
			expiresInSeconds: 300,
			contentType: "text/csv",
			disposition: "attachment",
		});
		return { file, url };
	}

	it("GET /api/files/{fileId} answers 503 storage.unavailable to a reader of the file", async () => {
		const player = await signUp(app);
		const { file } = await storedFile(player.id);
		expect(await as(app, player).get(`/api/files/${file?.id}`)).toAnswer(503, "storage.unavailable");
	});

	it("GET /api/files/content/{folder}/{name} answers 503 storage.unavailable to a valid signed URL", async () => {
		const player = await signUp(app);
		const { url } = await storedFile(player.id);
		const response = await anonymous(app).get(url);
		expect(response).toAnswer(503, "storage.unavailable");
		expect(response.headers["retry-after"]).toBe("5");
	});
});
