// The tenant cache over the real lookups: hits without a query, shared misses, negative entries, TTLs, invalidation.
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Database } from "../../src/db/index.js";
import { guildDomains, guildSlugHistory } from "../../src/db/schema/index.js";
import { createTenantCache, domainKey, slugKey, type TenantCache, type TenantKey } from "../../src/tenancy/cache.js";
import { createTenantLoader } from "../../src/tenancy/lookups.js";
import { getTestDatabase, resetTestDatabase } from "../helpers/database.js";
import { createGuild, createUser } from "../helpers/fixtures.js";
import { testClock } from "../helpers/identity.js";

let db: Database;
let clock: ReturnType<typeof testClock>;
/** Every key the cache asked the database for, in order. */
let queried: TenantKey[];

beforeAll(async () => {
	db = await getTestDatabase();
});

beforeEach(async () => {
	await resetTestDatabase(db);
	clock = testClock();
	queried = [];
});

const settings = { cacheTtlMs: 60_000, negativeTtlMs: 5_000, cacheMaxEntries: 100 };

/** The real loader, with a record of each call: how many queries the cache made is what these tests are about. */
function cacheOver(overrides: Partial<typeof settings> = {}): TenantCache {
	const load = createTenantLoader(db, clock);
	return createTenantCache({
		load: (key) => {
			queried.push(key);
			return load(key);
		},
		settings: { ...settings, ...overrides },
		now: clock,
	});
}

async function guildWithSlug(slug: string) {
	const owner = await createUser(db);
	return (await createGuild(db, owner.id, { slug })).guild;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("createTenantCache", () => {
	it("answers a slug from the database once, then from memory, synchronously", async () => {
		const guild = await guildWithSlug("iop");
		const cache = cacheOver();
		await expect(cache.get(slugKey("iop"))).resolves.toEqual({ id: guild.id, slug: "iop" });
		const second = cache.get(slugKey("iop"));
		expect(second).toEqual({ id: guild.id, slug: "iop" });
		expect(second).not.toBeInstanceOf(Promise);
		expect(queried).toEqual(["s:iop"]);
		expect(cache.stats()).toMatchObject({ hits: 1, misses: 1, entries: 1 });
	});

	it("lets concurrent misses of one key share one query", async () => {
		const guild = await guildWithSlug("iop");
		const cache = cacheOver();
		const answers = await Promise.all(Array.from({ length: 20 }, () => cache.get(slugKey("iop"))));
		expect(answers).toEqual(Array.from({ length: 20 }, () => ({ id: guild.id, slug: "iop" })));
		expect(queried).toEqual(["s:iop"]);
		expect(cache.stats()).toMatchObject({ misses: 1, sharedMisses: 19 });
	});

	it("remembers an unknown key for the negative TTL only", async () => {
		const cache = cacheOver({ negativeTtlMs: 100 });
		expect(await cache.get(slugKey("nobody"))).toBeNull();
		expect(cache.get(slugKey("nobody"))).toBeNull();
		expect(queried).toEqual(["s:nobody"]);
		await sleep(150);
		expect(await cache.get(slugKey("nobody"))).toBeNull();
		expect(queried).toEqual(["s:nobody", "s:nobody"]);
		expect(cache.stats()).toMatchObject({ negativeHits: 1, misses: 2 });
	});

	it("reads a known key again after the TTL", async () => {
		await guildWithSlug("iop");
		const cache = cacheOver({ cacheTtlMs: 100 });
		await cache.get(slugKey("iop"));
		await sleep(150);
		await cache.get(slugKey("iop"));
		expect(queried).toEqual(["s:iop", "s:iop"]);
	});

	it("names a guild by an active custom domain only", async () => {
		const guild = await guildWithSlug("iop");
		await db.insert(guildDomains).values([
			{ guildId: guild.id, domain: "guilde-iop.fr", activatedAt: clock() },
			{ guildId: guild.id, domain: "waiting.fr" },
		]);
		const cache = cacheOver();
		expect(await cache.get(domainKey("guilde-iop.fr"))).toEqual({ id: guild.id, slug: "iop" });
		expect(await cache.get(domainKey("waiting.fr"))).toBeNull();
	});

	it("names a guild by a previous slug until its window ends on the app's clock", async () => {
		const guild = await guildWithSlug("iop-2");
		const until = new Date(clock().getTime() + 3_600_000);
		await db.insert(guildSlugHistory).values({ slug: "iop", guildId: guild.id, expiresAt: until });
		const cache = cacheOver();
		expect(await cache.get(slugKey("iop"))).toEqual({ id: guild.id, slug: "iop-2", movedUntil: until });
		clock.advance(3_600_000);
		// The cached entry is past its window: asked again, and the database no longer names the guild.
		expect(await cache.get(slugKey("iop"))).toBeNull();
		expect(queried).toEqual(["s:iop", "s:iop"]);
	});

	it("forgets the slugs and domains a change names, and the negative entries among them", async () => {
		const guild = await guildWithSlug("iop");
		const cache = cacheOver();
		await cache.get(slugKey("iop"));
		await cache.get(slugKey("sram"));
		cache.forget({ slugs: ["iop", "sram"] });
		await cache.get(slugKey("iop"));
		await cache.get(slugKey("sram"));
		expect(queried).toEqual(["s:iop", "s:sram", "s:iop", "s:sram"]);
		expect(cache.stats()).toMatchObject({ invalidations: 1, entries: 1 });
		expect(cache.get(slugKey("iop"))).toEqual({ id: guild.id, slug: "iop" });
	});

	it("forgets every key naming a guild the change names, and keeps the others", async () => {
		const first = await guildWithSlug("iop");
		await guildWithSlug("sram");
		await db.insert(guildDomains).values({ guildId: first.id, domain: "guilde-iop.fr", activatedAt: clock() });
		const cache = cacheOver();
		await Promise.all([cache.get(slugKey("iop")), cache.get(domainKey("guilde-iop.fr")), cache.get(slugKey("sram"))]);
		cache.forget({ guildIds: [first.id] });
		expect(cache.stats().entries).toBe(1);
		expect(cache.get(slugKey("sram"))).not.toBeInstanceOf(Promise);
		expect(cache.get(slugKey("iop"))).toBeInstanceOf(Promise);
	});

	it("does not keep what a lookup under way read before a change", async () => {
		const guild = await guildWithSlug("iop");
		const cache = cacheOver();
		const underWay = cache.get(slugKey("iop"));
		cache.forget({ guildIds: [guild.id] });
		await underWay;
		expect(cache.stats().entries).toBe(0);
		// A request after the change does not wait for the old lookup: it starts its own.
		await cache.get(slugKey("iop"));
		expect(queried).toEqual(["s:iop", "s:iop"]);
	});

	it("empties itself on clear()", async () => {
		await guildWithSlug("iop");
		const cache = cacheOver();
		await cache.get(slugKey("iop"));
		await cache.get(slugKey("nobody"));
		cache.clear();
		expect(cache.stats()).toMatchObject({ entries: 0, negativeEntries: 0 });
	});

	it("keeps unknown hosts apart: a flood of them evicts no guild", async () => {
		await guildWithSlug("iop");
		const cache = cacheOver({ cacheMaxEntries: 5 });
		await cache.get(slugKey("iop"));
		for (let n = 0; n < 20; n++) await cache.get(domainKey(`made-up-${n}.example`));
		expect(cache.get(slugKey("iop"))).not.toBeInstanceOf(Promise);
		expect(cache.stats()).toMatchObject({ entries: 1, negativeEntries: 5 });
	});

	it("measures its lookups", async () => {
		await guildWithSlug("iop");
		const cache = cacheOver();
		await cache.get(slugKey("iop"));
		const { lookupMs } = cache.stats();
		expect(lookupMs.total).toBeGreaterThan(0);
		expect(lookupMs.max).toBe(lookupMs.total);
	});
});
