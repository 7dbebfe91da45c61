// Two API instances on one database, each with its tenant cache following the other's changes (LISTEN/NOTIFY on
// PostgreSQL, in process on PGlite): a rename, a deletion or an activation on one is seen by the other within 1 s.
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { App, InjectResponse } from "../../src/core/index.js";
import type { DatabaseHandle } from "../../src/db/index.js";
import type { TenantCache } from "../../src/tenancy/cache.js";
import { followTenantChanges } from "../../src/tenancy/changes.js";
import { createTenantTableCache } from "../../src/tenancy/lookups.js";
import { tenancySettings } from "../../src/tenancy/settings.js";
import { as } from "../helpers/calls.js";
import { getTestDatabaseHandle, resetTestDatabase, testJobQueueOf } from "../helpers/database.js";
import { buildIdentityApp, signUp, testClock } from "../helpers/identity.js";
import { secondDatabaseHandle } from "../helpers/realtime.js";
import { createGuildWithSlug, onHost } from "../helpers/tenancy.js";

interface Instance {
	app: App;
	cache: TenantCache;
	stop: () => Promise<void>;
}

let first: DatabaseHandle;
let second: { handle: DatabaseHandle; close: () => Promise<void> };
let a: Instance;
let b: Instance;

/** One API instance on `handle`, as runtime.ts wires it: its own cache, following every instance's changes. */
async function instance(handle: DatabaseHandle, clock: ReturnType<typeof testClock>): Promise<Instance> {
	const config = { ADMIN_EMAILS: ["admin@example.test"] };
	const cache = createTenantTableCache(handle.db, tenancySettings({}), clock);
	const unfollow = await followTenantChanges(handle, cache);
	const { app } = buildIdentityApp(handle.db, { config, clock, tenantCache: cache, jobs: testJobQueueOf(first.db) });
	return { app, cache, stop: unfollow };
}

beforeAll(async () => {
	first = await getTestDatabaseHandle();
});

beforeEach(async () => {
	await resetTestDatabase(first.db);
	second = await secondDatabaseHandle();
	const clock = testClock();
	a = await instance(first, clock);
	b = await instance(second.handle, clock);
});

afterEach(async () => {
	await a.stop();
	await b.stop();
	await second.close();
});

/** Asks `ask` every 20 ms until `done` holds of its answer; resolves with the wait, or fails after `withinMs`. */
async function waitFor(
	ask: () => Promise<InjectResponse>,
	done: (answer: InjectResponse) => boolean,
	withinMs = 1_000,
) {
	const started = performance.now();
	for (;;) {
		const answer = await ask();
		const elapsed = performance.now() - started;
		if (done(answer)) return elapsed;
		if (elapsed > withinMs)
			throw new Error(`still ${answer.statusCode} ${answer.info} after ${Math.round(elapsed)} ms`);
		await new Promise((resolve) => setTimeout(resolve, 20));
	}
}

describe("tenant cache invalidation across instances", () => {
	it("makes a rename on one instance redirect the old host and serve the new one on the other within 1 s", async () => {
		const owner = await signUp(a.app);
		const { guildId } = await createGuildWithSlug(a.app, owner, "iop");
		// The second instance knows the old host, and remembers the new one as unknown.
		expect(await onHost(b.app, "iop.localhost").get("/api/guild")).toAnswer(200, "guild.profile");
		expect(await onHost(b.app, "iop-des-bois.localhost").get("/api/guild")).toAnswer(404, "guild.unknown_host");
		expect(b.cache.get("s:iop")).not.toBeInstanceOf(Promise);

		expect(await as(a.app, owner).patch(`/api/guilds/${guildId}`, { slug: "iop-des-bois" })).toAnswer(
			200,
			"guild.updated",
		);

		const moved = await waitFor(
			() => onHost(b.app, "iop.localhost").get("/api/guild"),
			(answer) => answer.statusCode === 308,
		);
		expect(moved).toBeLessThan(1_000);
		expect(await onHost(b.app, "iop-des-bois.localhost").get("/api/guild")).toAnswer(200, "guild.profile");
		// Told, not expired: the TTL is a minute.
		expect(b.cache.stats().invalidations).toBeGreaterThanOrEqual(1);
	});

	it("stops serving a guild deleted on the other instance within 1 s", async () => {
		const owner = await signUp(a.app);
		const { guildId } = await createGuildWithSlug(a.app, owner, "iop");
		expect(await onHost(b.app, "iop.localhost").get("/api/guild")).toAnswer(200, "guild.profile");
		expect(await as(a.app, owner).delete(`/api/guilds/${guildId}`)).toAnswer(204, "guild.deleted");
		await waitFor(
			() => onHost(b.app, "iop.localhost").get("/api/guild"),
			(answer) => answer.info === "guild.unknown_host",
		);
	});

	it("serves a domain activated on the other instance within 1 s, and stops when it is deactivated", async () => {
		const owner = await signUp(a.app);
		const { guildId } = await createGuildWithSlug(a.app, owner, "iop");
		const added = await as(a.app, owner).post(`/api/guilds/${guildId}/domains`, { domain: "guilde-iop.fr" });
		const domainId = added.json().domain.id as number;
		expect(await onHost(b.app, "guilde-iop.fr").get("/api/guild")).toAnswer(404, "guild.unknown_host");
		const admin = await signUp(a.app, { email: "admin@example.test" });
		await as(a.app, admin).put(`/api/admin/domains/${domainId}/activation`);
		await waitFor(
			() => onHost(b.app, "guilde-iop.fr").get("/api/guild"),
			(answer) => answer.statusCode === 200,
		);
		await as(a.app, admin).delete(`/api/admin/domains/${domainId}/activation`);
		await waitFor(
			() => onHost(b.app, "guilde-iop.fr").get("/api/guild"),
			(answer) => answer.statusCode === 404,
		);
	});

	it("changes nothing on the other instance for a change that was refused", async () => {
		const owner = await signUp(a.app);
		const { guildId } = await createGuildWithSlug(a.app, owner, "iop");
		await createGuildWithSlug(a.app, owner, "sram");
		expect(await onHost(b.app, "iop.localhost").get("/api/guild")).toAnswer(200, "guild.profile");
		const before = b.cache.stats().invalidations;
		expect(await as(a.app, owner).patch(`/api/guilds/${guildId}`, { slug: "sram" })).toAnswer(409, "guild.slug_taken");
		await new Promise((resolve) => setTimeout(resolve, 200));
		expect(b.cache.stats().invalidations).toBe(before);
	});
});
