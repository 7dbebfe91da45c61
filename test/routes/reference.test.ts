// GET /api/classes, /api/servers, /api/dungeons: cached bodies with strong ETags, 304s, TTL, invalidation by a sync.
import { eq } from "drizzle-orm";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { App } from "../../src/core/index.js";
import type { Database, Executor } from "../../src/db/index.js";
import { dungeons } from "../../src/db/schema/index.js";
import { classRows } from "../../src/db/seed/data/classes.js";
import { createReferenceCache, entityTag, type ReferenceCache } from "../../src/services/reference-cache.js";
import { loadReferenceBody, type ReferenceResource } from "../../src/services/reference-data.js";
import { syncDofusDb } from "../../src/sync/dofusdb.js";
import { getTestDatabase } from "../helpers/database.js";
import { defaultRecords, startFakeDofusDb } from "../helpers/fake-dofusdb.js";
import { buildIdentityApp } from "../helpers/identity.js";
import { restoreReferenceData } from "../helpers/reference.js";

const ttlMs = 3_600_000;

let db: Database;
let app: App;
let cache: ReferenceCache;
let loads: ReferenceResource[];
let now: number;

beforeAll(async () => {
	db = await getTestDatabase();
});

beforeEach(() => {
	loads = [];
	now = Date.UTC(2026, 2, 1);
	// The real loader, counted: every database read of a list goes through it.
	const load = <R extends ReferenceResource>(executor: Executor, resource: R) => {
		loads.push(resource);
		return loadReferenceBody(executor, resource);
	};
	cache = createReferenceCache({ db, ttlMs, now: () => now, load });
	({ app } = buildIdentityApp(db, { referenceCache: cache }));
});

afterEach(() => restoreReferenceData(db));

const get = (url: string, headers: Record<string, string> = {}) => app.inject({ method: "GET", url, headers });

describe("GET /api/classes, /api/servers, /api/dungeons", () => {
	it("answers the classes with a strong ETag computed from the exact bytes sent, publicly cacheable", async () => {
		const response = await get("/api/classes");
		expect([response.statusCode, response.info]).toEqual([200, "classes.list"]);
		expect(response.json()).toEqual({ classes: classRows.map(({ id, name }) => ({ id, name })) });
		expect(response.headers.etag).toBe(entityTag(response.body));
		expect(response.headers.etag).toMatch(/^"[A-Za-z0-9_-]+"$/);
		expect(response.headers["cache-control"]).toBe("public, max-age=300");
	});

	it("answers servers as { id, name } and dungeons as { id, name, level }, with no internal column", async () => {
		const servers = (await get("/api/servers")).json().servers;
		expect(servers[0]).toEqual({ id: 1, name: "Dakal" });
		const dungeonList = (await get("/api/dungeons")).json().dungeons;
		expect(dungeonList[0]).toEqual({ id: 1, name: "Crypte de Kardorim", level: 10 });
		expect(Object.keys(dungeonList[1])).toEqual(["id", "name", "level"]);
	});

	it("is public: no session needed, and HEAD is served too", async () => {
		expect((await get("/api/dungeons")).statusCode).toBe(200);
		const head = await app.inject({ method: "HEAD", url: "/api/dungeons" });
		expect(head.statusCode).toBe(200);
		expect(head.headers.etag).toBeDefined();
	});
});

describe("If-None-Match", () => {
	it.each(["classes", "servers", "dungeons"])(
		"answers 304 for /api/%s with the ETag and no body when the tag matches",
		async (resource) => {
			const etag = String((await get(`/api/${resource}`)).headers.etag);
			const response = await get(`/api/${resource}`, { "if-none-match": etag });
			expect([response.statusCode, response.info]).toEqual([304, `${resource}.not_modified`]);
			expect(response.headers.etag).toBe(etag);
			expect(response.headers["cache-control"]).toBe("public, max-age=300");
			expect(response.body).toBe("");
		},
	);

	it("compares weakly, within lists, and honours *", async () => {
		const etag = String((await get("/api/servers")).headers.etag);
		for (const header of [`W/${etag}`, `"other", ${etag}`, `W/"other",W/${etag}`, "*"]) {
			expect((await get("/api/servers", { "if-none-match": header })).statusCode, header).toBe(304);
		}
	});

	it("answers 200 with the body when no tag matches", async () => {
		const response = await get("/api/servers", { "if-none-match": '"stale", W/"older"' });
		expect(response.statusCode).toBe(200);
		expect(response.json().servers.length).toBeGreaterThan(0);
	});
});

describe("the reference cache", () => {
	it("reads the database once per list while fresh: hits and 304s do not query it", async () => {
		await get("/api/classes");
		const etag = String((await get("/api/classes")).headers.etag);
		await get("/api/classes", { "if-none-match": etag });
		await get("/api/dungeons");
		expect(loads).toEqual(["classes", "dungeons"]);
	});

	it("shares one database read between concurrent misses", async () => {
		const responses = await Promise.all(Array.from({ length: 5 }, () => get("/api/servers")));
		expect(responses.map((response) => response.statusCode)).toEqual([200, 200, 200, 200, 200]);
		expect(loads).toEqual(["servers"]);
	});

	it("reads the database again once the TTL has passed", async () => {
		const first = await get("/api/dungeons");
		await db.update(dungeons).set({ level: 12 }).where(eq(dungeons.id, 1));
		now += ttlMs - 1;
		expect((await get("/api/dungeons")).headers.etag).toBe(first.headers.etag);
		now += 1;
		const after = await get("/api/dungeons");
		expect(after.headers.etag).not.toBe(first.headers.etag);
		expect(after.json().dungeons.find((dungeon: { id: number }) => dungeon.id === 1).level).toBe(12);
		expect(loads).toEqual(["dungeons", "dungeons"]);
	});

	it("is invalidated by a sync that changed data, so the old ETag no longer matches", async () => {
		const before = await get("/api/classes");
		const api = await startFakeDofusDb();
		try {
			const records = defaultRecords();
			const breed = records["/breeds"]?.[8] as { shortName: { fr: string } };
			breed.shortName.fr = "Crâ";
			api.records = records;
			const report = await syncDofusDb({ db, baseUrl: api.url, timeoutMs: 2000, retries: 0, referenceCache: cache });
			expect(report.changed).toBe(true);
		} finally {
			await api.close();
		}
		const after = await get("/api/classes", { "if-none-match": String(before.headers.etag) });
		expect(after.statusCode).toBe(200);
		expect(after.json().classes[8]).toEqual({ id: 9, name: "Crâ" });
		expect(after.headers.etag).not.toBe(before.headers.etag);
	});

	it("does not store a load that an invalidation overtook", async () => {
		const pending = cache.get("classes");
		cache.invalidate("classes");
		await pending;
		expect(cache.peek("classes")).toBeUndefined();
	});
});
