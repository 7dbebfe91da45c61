// Downloads on both storages: GET /api/files/{fileId} checks the rights of what the file belongs to and redirects to a
// short-lived signed URL; the filesystem's signed route serves the bytes with their headers and ranges, and refuses
// expired or tampered URLs.
import { describe, expect, it } from "vitest";
import type { App } from "../../src/core/index.js";
import { anonymous, as } from "../helpers/calls.js";
import { createAccountAs, createCharacterAs } from "../helpers/domain.js";
import {
	download,
	type FilesTestBed,
	filesAppPerTest,
	pictureBytes,
	storageDrivers,
	uploadFile,
} from "../helpers/files.js";
import { addMember, createGuildAs, type LoggedIn, signUp, type TestUser } from "../helpers/identity.js";

type Player = TestUser & LoggedIn;

const [filesystem, s3] = storageDrivers as [(typeof storageDrivers)[number], (typeof storageDrivers)[number]];

/** A player with a character wearing a portrait; the portrait as the API answered it. */
async function portraitOfNewPlayer(app: App) {
	const player = await signUp(app);
	const account = await createAccountAs(app, player);
	const character = await createCharacterAs(app, player, account.id);
	const uploaded = await uploadFile(
		app,
		player,
		`/api/characters/${character.id}/portrait`,
		await pictureBytes("png", 128, 128),
		{ filename: "Iop d'or.png" },
	);
	expect(uploaded.statusCode, uploaded.body).toBe(200);
	return { player, character, portrait: uploaded.json().portrait as { fileId: string; url: string } };
}

/** `member` joins `owner`'s guild with a role granting exactly `permissions`. */
async function joinWithRights(app: App, owner: LoggedIn, member: Player, permissions: string[]) {
	const guild = await createGuildAs(app, owner);
	const role = await as(app, owner).post(`/api/guilds/${guild.guildId}/roles`, { name: "Recrue", permissions });
	expect(role.statusCode, role.body).toBe(201);
	await addMember(app, guild.guildId, owner, member, role.json().role.id);
	return guild;
}

describe.each(storageDrivers)("downloads ($driver)", (driver) => {
	let app: App;
	filesAppPerTest(driver, (fresh) => {
		({ app } = fresh);
	});

	describe("GET /api/files/{fileId}", () => {
		it("redirects the owner (302) to a signed URL that serves the bytes", async () => {
			const { player, portrait } = await portraitOfNewPlayer(app);
			const followed = await download(app, player, portrait.url);
			expect(followed.redirect).toAnswer(302, "file.redirect");
			expect(followed.redirect.headers["cache-control"]).toMatch(/^private, max-age=\d+$/);
			if (driver.driver === "filesystem")
				expect(followed.location).toMatch(/^\/api\/files\/content\/files\/[0-9a-f-]{36}\?/);
			else expect(followed.location).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/.*X-Amz-Signature=/);
			expect(followed.status).toBe(200);
			expect(followed.headers["content-type"]).toBe("image/webp");
			expect(followed.bytes.subarray(8, 12).toString()).toBe("WEBP");
		});

		it("redirects a guild fellow whose role grants character.view", async () => {
			const { player, portrait } = await portraitOfNewPlayer(app);
			const fellow = await signUp(app);
			await joinWithRights(app, player, fellow, ["character.view"]);
			expect((await download(app, fellow, portrait.url)).status).toBe(200);
		});

		it("answers 404 file.notfound to a guild fellow without character.view, and to a stranger", async () => {
			const { player, portrait } = await portraitOfNewPlayer(app);
			const fellow = await signUp(app);
			await joinWithRights(app, player, fellow, []);
			const stranger = await signUp(app);
			expect(await as(app, fellow).get(portrait.url)).toAnswer(404, "file.notfound");
			expect(await as(app, stranger).get(portrait.url)).toAnswer(404, "file.notfound");
		});

		it("answers 404 for an unknown id, 400 for one that is not a UUID, 401 without a session", async () => {
			const { player, portrait } = await portraitOfNewPlayer(app);
			expect(await as(app, player).get("/api/files/00000000-0000-4000-8000-000000000000")).toAnswer(
				404,
				"file.notfound",
			);
			expect((await as(app, player).get("/api/files/12")).statusCode).toBe(400);
			expect((await anonymous(app).get(portrait.url)).statusCode).toBe(401);
		});

		it("offers the file as an attachment named after the upload with ?download=1", async () => {
			const { player, portrait } = await portraitOfNewPlayer(app);
			const followed = await download(app, player, `${portrait.url}?download=1`);
			expect(followed.headers["content-disposition"]).toBe(
				`attachment; filename="Iop d'or.webp"; filename*=UTF-8''Iop%20d%27or.webp`,
			);
		});

		it("serves an emblem to every member of its guild and to no one else", async () => {
			const owner = await signUp(app);
			const member = await signUp(app);
			const guild = await joinWithRights(app, owner, member, []);
			const uploaded = await uploadFile(
				app,
				owner,
				`/api/guilds/${guild.guildId}/emblem`,
				await pictureBytes("png", 64, 64),
			);
			const { emblem } = uploaded.json();
			expect((await download(app, member, emblem.url)).status).toBe(200);
			expect((await download(app, member, emblem.thumbnailUrl)).status).toBe(200);
			expect(await as(app, await signUp(app)).get(emblem.url)).toAnswer(404, "file.notfound");
		});
	});
});

describe("GET /api/files/content/{folder}/{name} (the filesystem's signed URLs)", () => {
	let bed: FilesTestBed;
	let app: App;
	filesAppPerTest(filesystem, (fresh) => {
		bed = fresh;
		({ app } = fresh);
	});

	async function signedUrl() {
		const { player, portrait } = await portraitOfNewPlayer(app);
		const redirect = await as(app, player).get(portrait.url);
		return String(redirect.headers.location);
	}

	it("serves the bytes with their type, ETag, private caching, nosniff and byte ranges", async () => {
		const url = await signedUrl();
		const served = await anonymous(app).get(url);
		expect(served).toAnswer(200, "file.content");
		expect(served.headers).toMatchObject({
			"content-type": "image/webp",
			"content-disposition": `inline; filename="Iop d'or.webp"; filename*=UTF-8''Iop%20d%27or.webp`,
			etag: expect.stringMatching(/^"[0-9a-f]{64}"$/),
			"cache-control": expect.stringMatching(/^private, max-age=(29\d|300), immutable$/),
			"x-content-type-options": "nosniff",
			"accept-ranges": "bytes",
			"content-length": served.rawBody.length,
		});
		const ranged = await anonymous(app).get(url, { headers: { range: "bytes=4-11" } });
		expect(ranged).toAnswer(206, "file.partial_content");
		expect(ranged.headers["content-range"]).toBe(`bytes 4-11/${served.rawBody.length}`);
		expect(ranged.rawBody).toEqual(served.rawBody.subarray(4, 12));
		const suffix = await anonymous(app).get(url, { headers: { range: "bytes=-4" } });
		expect(suffix.rawBody).toEqual(served.rawBody.subarray(-4));
	});

	it("answers 416 with the size for a range past the end, and 304 to a matching If-None-Match", async () => {
		const url = await signedUrl();
		const served = await anonymous(app).get(url);
		const past = await anonymous(app).get(url, { headers: { range: `bytes=${served.rawBody.length}-` } });
		expect(past).toAnswer(416, "file.range_not_satisfiable");
		expect(past.headers["content-range"]).toBe(`bytes */${served.rawBody.length}`);
		const again = await anonymous(app).get(url, { headers: { "if-none-match": String(served.headers.etag) } });
		expect(again.statusCode).toBe(304);
		expect(again.rawBody.length).toBe(0);
	});

	it("answers 403 file.url_expired once the URL's time has passed", async () => {
		const url = await signedUrl();
		bed.clock.advance(301_000);
		expect(await anonymous(app).get(url)).toAnswer(403, "file.url_expired");
	});

	it("answers 403 file.url_invalid to a URL whose key, type, name, expiry or signature was changed", async () => {
		const url = await signedUrl();
		const [path = "", query = ""] = url.split("?");
		const params = new URLSearchParams(query);
		const changed = (name: string, value: string) => {
			const copy = new URLSearchParams(params);
			copy.set(name, value);
			return `${path}?${copy}`;
		};
		const otherKey = path.replace(/[0-9a-f](?=[0-9a-f]{3}$)/, (digit) => (digit === "a" ? "b" : "a"));
		const tampered = [
			`${otherKey}?${query}`,
			changed("type", "text/html"),
			changed("name", "evil.html"),
			changed("expires", String(Number(params.get("expires")) + 3600)),
			changed("sig", `${params.get("sig")?.slice(0, -2)}AA`),
			`${path}?${query}&type=text/html`,
		];
		for (const candidate of tampered)
			expect(await anonymous(app).get(candidate), candidate).toAnswer(403, "file.url_invalid");
	});

	it("stops serving a file as soon as it is deleted, before its object is", async () => {
		const { player, character, portrait } = await portraitOfNewPlayer(app);
		const url = String((await as(app, player).get(portrait.url)).headers.location);
		await as(app, player).delete(`/api/characters/${character.id}/portrait`);
		expect(await anonymous(app).get(url)).toAnswer(404, "file.notfound");
	});
});

describe("S3 presigned URLs", () => {
	let bed: FilesTestBed;
	let app: App;
	filesAppPerTest(s3, (fresh) => {
		bed = fresh;
		({ app } = fresh);
	});

	it("are refused by the storage once expired", async () => {
		const { player, portrait } = await portraitOfNewPlayer(app);
		// Signed ten minutes ago: its 300 seconds are over.
		bed.clock.advance(-600_000);
		const url = String((await as(app, player).get(portrait.url)).headers.location);
		bed.clock.advance(600_000);
		const served = await fetch(url);
		expect(served.status).toBe(403);
		expect(await served.text()).toContain("expired");
	});
});
