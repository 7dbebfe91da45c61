// Feature flags: the platform admins' API (global values, per-guild overrides), GET /api/features (the caller's
// effective values), the `featureEnabled` gate (404 feature.disabled), and the cache of two instances on one database.
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { App, InjectResponse } from "../../src/core/index.js";
import type { Database, DatabaseHandle } from "../../src/db/index.js";
import { createFeatureFlagCache, type FeatureFlagCache } from "../../src/tenancy/feature-flag-cache.js";
import { followFeatureFlagChanges } from "../../src/tenancy/feature-flag-changes.js";
import { anonymous, as } from "../helpers/calls.js";
import { getTestDatabaseHandle, resetTestDatabase, testJobQueueOf } from "../helpers/database.js";
import { addMember, buildIdentityApp, signUp } from "../helpers/identity.js";
import { secondDatabaseHandle } from "../helpers/realtime.js";
import { createGuildWithSlug, onHost } from "../helpers/tenancy.js";

const config = { ADMIN_EMAILS: ["admin@example.test"] };

let handle: DatabaseHandle;
let db: Database;
let app: App;

beforeAll(async () => {
	handle = await getTestDatabaseHandle();
	db = handle.db;
});

beforeEach(async () => {
	await resetTestDatabase(db);
	({ app } = buildIdentityApp(db, { config }));
});

const signUpAdmin = (on: App = app) => signUp(on, { email: "admin@example.test" });
const flagUrl = (name: string) => `/api/admin/feature-flags/${name}`;
const overrideUrl = (name: string, guildId: number) => `/api/admin/feature-flags/${name}/guilds/${guildId}`;

/** The guild `iop`, its owner and a plain member. */
async function iopGuild(on: App = app) {
	const owner = await signUp(on);
	const guild = await createGuildWithSlug(on, owner, "iop");
	const member = await signUp(on);
	await addMember(on, guild.guildId, owner, member, guild.memberRoleId);
	return { owner, member, ...guild };
}

/** The caller's effective flags, as GET /api/features answers them. */
async function features(response: Promise<InjectResponse>) {
	const answered = await response;
	expect(answered).toAnswer(200, "feature.list");
	return answered.json() as { guild: { id: number; slug: string } | null; features: Record<string, boolean> };
}

describe("GET /api/admin/feature-flags", () => {
	it("lists the flags the code knows with their defaults before anyone sets them", async () => {
		const admin = await signUpAdmin();
		const response = await as(app, admin).get("/api/admin/feature-flags");
		expect(response).toAnswer(200, "feature_flag.list");
		expect(response.json().flags).toEqual([
			expect.objectContaining({
				name: "guild.custom_domains",
				enabled: true,
				known: true,
				stored: false,
				overrides: [],
			}),
		]);
	});

	it("lists each flag's overrides", async () => {
		const admin = await signUpAdmin();
		const { guildId } = await iopGuild();
		await as(app, admin).put(flagUrl("beta.planner"), { enabled: false, description: "The team planner" });
		await as(app, admin).put(overrideUrl("beta.planner", guildId), { enabled: true });
		const flags = (await as(app, admin).get("/api/admin/feature-flags")).json().flags;
		expect(flags.find((flag: { name: string }) => flag.name === "beta.planner")).toEqual({
			name: "beta.planner",
			description: "The team planner",
			enabled: false,
			known: false,
			stored: true,
			overrides: [{ guildId, enabled: true }],
		});
	});

	it("answers a user who is not an admin as an unknown path", async () => {
		const user = await signUp(app);
		expect(await as(app, user).get("/api/admin/feature-flags")).toAnswer(404, "NOT_FOUND");
		expect(await anonymous(app).get("/api/admin/feature-flags")).toAnswer(401, "session.missing");
	});
});

describe("PUT /api/admin/feature-flags/{name}", () => {
	it("creates a flag: 201, and its global value is what everyone gets", async () => {
		const admin = await signUpAdmin();
		const response = await as(app, admin).put(flagUrl("beta.planner"), { enabled: true, description: "Planner" });
		expect(response).toAnswer(201, "feature_flag.created");
		expect(response.json().flag).toMatchObject({ name: "beta.planner", enabled: true, description: "Planner" });
		expect((await features(anonymous(app).get("/api/features"))).features["beta.planner"]).toBe(true);
	});

	it("changes the global value of an existing flag: 200, the description kept when not sent", async () => {
		const admin = await signUpAdmin();
		await as(app, admin).put(flagUrl("beta.planner"), { enabled: true, description: "Planner" });
		const response = await as(app, admin).put(flagUrl("beta.planner"), { enabled: false });
		expect(response).toAnswer(200, "feature_flag.updated");
		expect(response.json().flag).toMatchObject({ enabled: false, description: "Planner" });
		expect((await features(anonymous(app).get("/api/features"))).features["beta.planner"]).toBe(false);
	});

	it("sets a flag the code knows: stored from then on, with the code's description unless given", async () => {
		const admin = await signUpAdmin();
		const response = await as(app, admin).put(flagUrl("guild.custom_domains"), { enabled: false });
		expect(response).toAnswer(201, "feature_flag.created");
		expect(response.json().flag).toMatchObject({ enabled: false, known: true, stored: true });
		expect(response.json().flag.description).toContain("custom domains");
	});

	it.each([
		["an upper-case name", "Beta"],
		["a name starting with a digit", "1beta"],
		["a one-letter name", "b"],
		["a name of 64 characters", `b${"e".repeat(63)}`],
		["a name with a space", "beta%20planner"],
	])("answers 400 TYPE_ERROR.params.name to %s", async (_label, name) => {
		const admin = await signUpAdmin();
		expect(await as(app, admin).put(flagUrl(name), { enabled: true })).toAnswer(400, "TYPE_ERROR.params.name");
	});

	it("answers 400 TYPE_ERROR.body.enabled without a boolean", async () => {
		const admin = await signUpAdmin();
		expect(await as(app, admin).put(flagUrl("beta.planner"), { enabled: "yes" })).toAnswer(
			400,
			"TYPE_ERROR.body.enabled",
		);
	});

	it("answers a user who is not an admin as an unknown path, and creates nothing", async () => {
		const user = await signUp(app);
		expect(await as(app, user).put(flagUrl("beta.planner"), { enabled: true })).toAnswer(404, "NOT_FOUND");
		expect((await features(anonymous(app).get("/api/features"))).features["beta.planner"]).toBeUndefined();
	});
});

describe("PUT /api/admin/feature-flags/{name}/guilds/{guildId}", () => {
	it("gives one guild its own value: 201, then 200 when changed", async () => {
		const admin = await signUpAdmin();
		const { guildId } = await iopGuild();
		await as(app, admin).put(flagUrl("beta.planner"), { enabled: false });
		const created = await as(app, admin).put(overrideUrl("beta.planner", guildId), { enabled: true });
		expect(created).toAnswer(201, "feature_flag.override_created");
		expect(created.json().override).toEqual({ flag: "beta.planner", guildId, enabled: true });
		expect(await as(app, admin).put(overrideUrl("beta.planner", guildId), { enabled: false })).toAnswer(
			200,
			"feature_flag.override_updated",
		);
	});

	it("overrides the global value for that guild only", async () => {
		const admin = await signUpAdmin();
		const { member, guildId } = await iopGuild();
		const sramOwner = await signUp(app);
		await createGuildWithSlug(app, sramOwner, "sram");
		await as(app, admin).put(flagUrl("beta.planner"), { enabled: false });
		await as(app, admin).put(overrideUrl("beta.planner", guildId), { enabled: true });
		expect((await features(onHost(app, "iop.localhost", member).get("/api/features"))).features["beta.planner"]).toBe(
			true,
		);
		expect(
			(await features(onHost(app, "sram.localhost", sramOwner).get("/api/features"))).features["beta.planner"],
		).toBe(false);
		expect((await features(anonymous(app).get("/api/features"))).features["beta.planner"]).toBe(false);
	});

	it("overrides a flag the code knows that nobody has set yet", async () => {
		const admin = await signUpAdmin();
		const { guildId } = await iopGuild();
		expect(await as(app, admin).put(overrideUrl("guild.custom_domains", guildId), { enabled: false })).toAnswer(
			201,
			"feature_flag.override_created",
		);
	});

	it("answers 404 feature_flag.notfound to a flag nobody created, 404 guild.notfound to a guild that does not exist", async () => {
		const admin = await signUpAdmin();
		const { guildId } = await iopGuild();
		expect(await as(app, admin).put(overrideUrl("beta.planner", guildId), { enabled: true })).toAnswer(
			404,
			"feature_flag.notfound",
		);
		await as(app, admin).put(flagUrl("beta.planner"), { enabled: false });
		expect(await as(app, admin).put(overrideUrl("beta.planner", 9_999), { enabled: true })).toAnswer(
			404,
			"guild.notfound",
		);
	});

	it("answers a user who is not an admin as an unknown path", async () => {
		const { owner, guildId } = await iopGuild();
		expect(await as(app, owner).put(overrideUrl("guild.custom_domains", guildId), { enabled: false })).toAnswer(
			404,
			"NOT_FOUND",
		);
	});
});

describe("DELETE /api/admin/feature-flags/{name}/guilds/{guildId}", () => {
	it("removes the guild's own value: it follows the global value again", async () => {
		const admin = await signUpAdmin();
		const { member, guildId } = await iopGuild();
		await as(app, admin).put(flagUrl("beta.planner"), { enabled: false });
		await as(app, admin).put(overrideUrl("beta.planner", guildId), { enabled: true });
		expect(await as(app, admin).delete(overrideUrl("beta.planner", guildId))).toAnswer(
			204,
			"feature_flag.override_deleted",
		);
		expect((await features(onHost(app, "iop.localhost", member).get("/api/features"))).features["beta.planner"]).toBe(
			false,
		);
	});

	it("answers 404 feature_flag.override_notfound when the guild has no value of its own", async () => {
		const admin = await signUpAdmin();
		const { guildId } = await iopGuild();
		expect(await as(app, admin).delete(overrideUrl("guild.custom_domains", guildId))).toAnswer(
			404,
			"feature_flag.override_notfound",
		);
	});
});

describe("GET /api/features", () => {
	it("answers the global values to an anonymous caller on the platform's host", async () => {
		expect(await features(anonymous(app).get("/api/features"))).toEqual({
			guild: null,
			features: { "guild.custom_domains": true },
		});
	});

	it("answers the host guild's values to its members", async () => {
		const admin = await signUpAdmin();
		const { member, guildId } = await iopGuild();
		await as(app, admin).put(overrideUrl("guild.custom_domains", guildId), { enabled: false });
		expect(await features(onHost(app, "iop.localhost", member).get("/api/features"))).toEqual({
			guild: { id: guildId, slug: "iop" },
			features: { "guild.custom_domains": false },
		});
	});

	it("answers the global values to anyone else on the guild's host: anonymous callers and other guilds' members", async () => {
		const admin = await signUpAdmin();
		const { guildId } = await iopGuild();
		await as(app, admin).put(overrideUrl("guild.custom_domains", guildId), { enabled: false });
		const stranger = await signUp(app);
		for (const caller of [undefined, stranger]) {
			expect(await features(onHost(app, "iop.localhost", caller).get("/api/features"))).toEqual({
				guild: null,
				features: { "guild.custom_domains": true },
			});
		}
	});

	it("answers 401 to a session token that is not valid, rather than treating the caller as anonymous", async () => {
		const response = await anonymous(app).get("/api/features", { headers: { authorization: "Bearer nonsense" } });
		expect(response).toAnswer(401, "session.invalid");
	});
});

describe("the featureEnabled gate (guild.custom_domains on the domain routes)", () => {
	const domainsOf = (guildId: number) => `/api/guilds/${guildId}/domains`;

	it("lets the routes run while the flag is on, as it is by default", async () => {
		const { owner, guildId } = await iopGuild();
		expect(await as(app, owner).get(domainsOf(guildId))).toAnswer(200, "domain.list");
	});

	it("answers 404 feature.disabled on every domain route once the flag is off globally", async () => {
		const admin = await signUpAdmin();
		const { owner, guildId } = await iopGuild();
		await as(app, admin).put(flagUrl("guild.custom_domains"), { enabled: false });
		expect(await as(app, owner).get(domainsOf(guildId))).toAnswer(404, "feature.disabled");
		expect(await as(app, owner).post(domainsOf(guildId), { domain: "guilde-iop.fr" })).toAnswer(
			404,
			"feature.disabled",
		);
		expect(await as(app, owner).delete(`${domainsOf(guildId)}/1`)).toAnswer(404, "feature.disabled");
	});

	it("follows the guild's override: off for one guild while on for the others, and on for one while off globally", async () => {
		const admin = await signUpAdmin();
		const { owner, guildId } = await iopGuild();
		const { guildId: sramId } = await createGuildWithSlug(app, owner, "sram");
		await as(app, admin).put(overrideUrl("guild.custom_domains", guildId), { enabled: false });
		expect(await as(app, owner).get(domainsOf(guildId))).toAnswer(404, "feature.disabled");
		expect(await as(app, owner).get(domainsOf(sramId))).toAnswer(200, "domain.list");
		await as(app, admin).put(flagUrl("guild.custom_domains"), { enabled: false });
		await as(app, admin).put(overrideUrl("guild.custom_domains", guildId), { enabled: true });
		expect(await as(app, owner).get(domainsOf(guildId))).toAnswer(200, "domain.list");
		expect(await as(app, owner).get(domainsOf(sramId))).toAnswer(404, "feature.disabled");
	});

	it("checks the rights first: outsiders and members without guild.manage learn nothing of the flag", async () => {
		const admin = await signUpAdmin();
		const { member, guildId } = await iopGuild();
		const outsider = await signUp(app);
		await as(app, admin).put(flagUrl("guild.custom_domains"), { enabled: false });
		expect(await as(app, outsider).get(domainsOf(guildId))).toAnswer(404, "guild.notfound");
		expect(await as(app, member).get(domainsOf(guildId))).toAnswer(403, "right.missing");
	});
});

describe("the flag cache of two instances on one database", () => {
	interface Instance {
		app: App;
		cache: FeatureFlagCache;
		stop: () => Promise<void>;
	}
	let second: { handle: DatabaseHandle; close: () => Promise<void> };
	let a: Instance;
	let b: Instance;

	/** An API instance as runtime.ts wires one: its own flag cache, following every instance's changes. */
	async function instance(on: DatabaseHandle): Promise<Instance> {
		const cache = createFeatureFlagCache({ db: on.db, ttlMs: 60_000 });
		const stop = await followFeatureFlagChanges(on, cache);
		const built = buildIdentityApp(on.db, { config, featureFlagCache: cache, jobs: testJobQueueOf(db) });
		return { app: built.app, cache, stop };
	}

	beforeEach(async () => {
		second = await secondDatabaseHandle();
		a = await instance(handle);
		b = await instance(second.handle);
	});

	afterEach(async () => {
		await a.stop();
		await b.stop();
		await second.close();
	});

	/** Asks every 20 ms until `done`; the wait in ms, or a failure after `withinMs`. */
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
				throw new Error(`still ${answer.statusCode} ${answer.body} after ${Math.round(elapsed)} ms`);
			await new Promise((resolve) => setTimeout(resolve, 20));
		}
	}

	it("serves the flags from memory until told: one read of the database for many requests", async () => {
		const before = b.cache.stats().loads;
		for (let n = 0; n < 5; n++) await anonymous(b.app).get("/api/features");
		expect(b.cache.stats().loads - before).toBe(1);
		expect(b.cache.stats().hits).toBeGreaterThanOrEqual(4);
	});

	it("makes a global value set on one instance the other's within 1 s", async () => {
		const admin = await signUpAdmin(a.app);
		const flagOn = (answer: InjectResponse) => answer.json().features["guild.custom_domains"] === true;
		expect(flagOn(await anonymous(b.app).get("/api/features"))).toBe(true);
		await as(a.app, admin).put(flagUrl("guild.custom_domains"), { enabled: false });
		const waited = await waitFor(
			() => anonymous(b.app).get("/api/features"),
			(answer) => !flagOn(answer),
		);
		expect(waited).toBeLessThan(1_000);
		expect(b.cache.stats().invalidations).toBeGreaterThanOrEqual(1);
	});

	it("makes an override set, then removed, on one instance gate the other's routes within 1 s", async () => {
		const admin = await signUpAdmin(a.app);
		const { owner, guildId } = await iopGuild(a.app);
		const domains = () => as(b.app, owner).get(`/api/guilds/${guildId}/domains`);
		expect(await domains()).toAnswer(200, "domain.list");
		await as(a.app, admin).put(overrideUrl("guild.custom_domains", guildId), { enabled: false });
		await waitFor(domains, (answer) => answer.info === "feature.disabled");
		await as(a.app, admin).delete(overrideUrl("guild.custom_domains", guildId));
		await waitFor(domains, (answer) => answer.info === "domain.list");
	});

	it("tells no one of a change that changed nothing", async () => {
		const admin = await signUpAdmin(a.app);
		await as(a.app, admin).put(flagUrl("beta.planner"), { enabled: true });
		await waitFor(
			() => anonymous(b.app).get("/api/features"),
			(answer) => answer.json().features["beta.planner"] === true,
		);
		const before = b.cache.stats().invalidations;
		expect(await as(a.app, admin).put(flagUrl("beta.planner"), { enabled: true })).toAnswer(
			200,
			"feature_flag.updated",
		);
		await new Promise((resolve) => setTimeout(resolve, 200));
		expect(b.cache.stats().invalidations).toBe(before);
	});
});
