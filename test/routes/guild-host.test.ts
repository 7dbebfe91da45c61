// Host resolution through the real pipeline (every host form), the slug redirect, and the routes of a guild's host:
// GET /api/guild, /api/guild/members, /api/guild/characters. The base domain is the default, `localhost`.
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { App } from "../../src/core/index.js";
import type { Database } from "../../src/db/index.js";
import { guildDomains } from "../../src/db/schema/index.js";
import { as } from "../helpers/calls.js";
import { getTestDatabase, resetTestDatabase } from "../helpers/database.js";
import { createAccountAs, createCharacterAs } from "../helpers/domain.js";
import { addMember, buildIdentityApp, loginAs, signUp, type TestClock } from "../helpers/identity.js";
import { captureLogs } from "../helpers/log-capture.js";
import { createGuildWithSlug, onHost } from "../helpers/tenancy.js";

let db: Database;
let app: App;
let clock: TestClock;

beforeAll(async () => {
	db = await getTestDatabase();
});

beforeEach(async () => {
	await resetTestDatabase(db);
	({ app, clock } = buildIdentityApp(db));
});

/** An owner and their guild `iop`, through the API. */
async function iopGuild() {
	const owner = await signUp(app);
	return { owner, ...(await createGuildWithSlug(app, owner, "iop", "Les Iops")) };
}

async function activeDomain(guildId: number, domain: string) {
	await db.insert(guildDomains).values({ guildId, domain, activatedAt: clock() });
}

describe("host resolution", () => {
	it.each([
		["its subdomain", "iop.localhost"],
		["its subdomain in upper case", "IOP.LocalHost"],
		["its subdomain with a port", "iop.localhost:3000"],
		["its subdomain with a trailing dot", "iop.localhost."],
		["its subdomain with a trailing dot and a port", "Iop.localhost.:8080"],
	])("serves the guild at %s", async (_label, host) => {
		const { guildId } = await iopGuild();
		const response = await onHost(app, host).get("/api/guild");
		expect(response).toAnswer(200, "guild.profile");
		expect(response.json().guild).toMatchObject({ id: guildId, slug: "iop", name: "Les Iops", memberCount: 1 });
	});

	it("serves the guild at an active custom domain, in any case and with a trailing dot", async () => {
		const { guildId } = await iopGuild();
		await activeDomain(guildId, "guilde-iop.fr");
		for (const host of ["guilde-iop.fr", "Guilde-Iop.FR.", "guilde-iop.fr:443"]) {
			const response = await onHost(app, host).get("/api/guild");
			expect(response, host).toAnswer(200, "guild.profile");
			expect(response.json().guild.id).toBe(guildId);
		}
	});

	it("serves the guild at an IDN custom domain, whether the client sends Unicode or punycode", async () => {
		const { owner, guildId } = await iopGuild();
		const added = await as(app, owner).post(`/api/guilds/${guildId}/domains`, { domain: "Guildé.fr" });
		expect(added).toAnswer(201, "domain.created");
		expect(added.json().domain.domain).toBe("xn--guild-fsa.fr");
		await db.update(guildDomains).set({ activatedAt: clock() });
		for (const host of ["guildé.fr", "GUILDÉ.FR", "xn--guild-fsa.fr"]) {
			expect(await onHost(app, host).get("/api/guild"), host).toAnswer(200, "guild.profile");
		}
	});

	it("answers 404 guild.unknown_host at a custom domain a platform admin has not activated", async () => {
		const { guildId } = await iopGuild();
		await db.insert(guildDomains).values({ guildId, domain: "waiting.fr" });
		expect(await onHost(app, "waiting.fr").get("/api/guild")).toAnswer(404, "guild.unknown_host");
	});

	it("logs a host that names nothing, or is no host name, at debug only: anyone may send any Host", async () => {
		const logs = captureLogs("info");
		const watched = buildIdentityApp(db, { logger: logs.logger }).app;
		expect(await onHost(watched, "nobody.localhost").get("/api/guild")).toAnswer(404, "guild.unknown_host");
		expect(await onHost(watched, "bad_host!").get("/api/guild")).toAnswer(400, "host.invalid");
		expect(logs.lines.filter((line) => (line.level as number) >= 40)).toEqual([]);
	});

	it.each([
		["an unknown slug", "nobody.localhost"],
		["a label too short to be a slug", "ab.localhost"],
		["two labels under the base domain", "www.iop.localhost"],
		["a host that is neither the base domain's nor a custom domain", "iop.example.org"],
	])("answers 404 guild.unknown_host, on every route, at %s", async (_label, host) => {
		await iopGuild();
		for (const url of ["/api/guild", "/health", "/api/me"]) {
			const response = await onHost(app, host).get(url);
			expect(response, url).toAnswer(404, "guild.unknown_host");
			expect(response.json()).toEqual({
				error: "guild.unknown_host",
				message: "No guild is served at this host.",
				requestId: expect.any(String),
			});
		}
	});

	it.each([
		["an empty label", "iop..localhost"],
		["a port that is not a number", "iop.localhost:http"],
		["an underscore", "les_iops.localhost"],
		["a path", "iop.localhost/api"],
		["two Host headers", ["iop.localhost", "sram.localhost"]],
	])("answers 400 host.invalid to %s", async (_label, host) => {
		const response = await onHost(app, host).get("/health");
		expect(response).toAnswer(400, "host.invalid");
		expect(response.json().error).toBe("host.invalid");
	});

	it.each([
		["no Host header", undefined],
		["the base domain", "localhost"],
		["the base domain with a port", "localhost:3000"],
		["an IPv4 address", "127.0.0.1:3000"],
		["an IPv6 address", "[::1]:3000"],
		["a reserved subdomain", "api.localhost"],
		["another reserved subdomain", "WWW.localhost:3000"],
	])("serves the platform, no guild, at %s", async (_label, host) => {
		await iopGuild();
		const call = host === undefined ? app.inject({ url: "/health" }) : onHost(app, host).get("/health");
		expect(await call).toAnswer(200);
		const guild = host === undefined ? app.inject({ url: "/api/guild" }) : onHost(app, host).get("/api/guild");
		// The route needs a guild's host; the platform's answers the same 404 as an unknown one, from the route.
		expect(await guild).toAnswer(404, "guild.unknown_host");
	});

	it("takes the guild from X-Guild on the base domain, in any case", async () => {
		const { guildId } = await iopGuild();
		for (const host of ["localhost", "127.0.0.1"]) {
			const response = await onHost(app, host).get("/api/guild", { "x-guild": "IOP" });
			expect(response, host).toAnswer(200, "guild.profile");
			expect(response.json().guild.id).toBe(guildId);
		}
		expect(await app.inject({ url: "/api/guild", headers: { "x-guild": "iop" } })).toAnswer(200, "guild.profile");
	});

	it("answers 404 guild.unknown_host for an X-Guild naming no guild, or not even a slug", async () => {
		await iopGuild();
		for (const value of ["nobody", "x", "api", "iop.fr"])
			expect(await onHost(app, "localhost").get("/health", { "x-guild": value }), value).toAnswer(
				404,
				"guild.unknown_host",
			);
	});

	it("ignores X-Guild on a guild's host", async () => {
		const { owner, guildId } = await iopGuild();
		await createGuildWithSlug(app, owner, "sram");
		const response = await onHost(app, "iop.localhost").get("/api/guild", { "x-guild": "sram" });
		expect(response.json().guild.id).toBe(guildId);
	});

	it("leaves the id-addressed routes as they are on a guild's host", async () => {
		const { owner, guildId } = await iopGuild();
		const response = await onHost(app, "iop.localhost", owner).get(`/api/guilds/${guildId}`);
		expect(response).toAnswer(200, "guild.found");
		expect(response.json().guild.slug).toBe("iop");
	});

	it("stops serving a deleted guild's host at once", async () => {
		const { owner, guildId } = await iopGuild();
		expect(await onHost(app, "iop.localhost").get("/api/guild")).toAnswer(200, "guild.profile");
		expect(await as(app, owner).delete(`/api/guilds/${guildId}`)).toAnswer(204, "guild.deleted");
		expect(await onHost(app, "iop.localhost").get("/api/guild")).toAnswer(404, "guild.unknown_host");
	});

	it("serves a new guild's host at once, even just after it was asked for and unknown", async () => {
		const owner = await signUp(app);
		expect(await onHost(app, "iop.localhost").get("/api/guild")).toAnswer(404, "guild.unknown_host");
		await createGuildWithSlug(app, owner, "iop");
		expect(await onHost(app, "iop.localhost").get("/api/guild")).toAnswer(200, "guild.profile");
	});
});

describe("host resolution with configured hosts", () => {
	it("serves BASE_DOMAIN's subdomains and PLATFORM_HOSTS as configured, and honours RESERVED_SLUGS", async () => {
		({ app } = buildIdentityApp(db, {
			config: { BASE_DOMAIN: "Dofus-Manager.test", PLATFORM_HOSTS: ["api.internal"], RESERVED_SLUGS: ["Forum"] },
		}));
		const { guildId } = await iopGuild();
		expect((await onHost(app, "iop.dofus-manager.test").get("/api/guild")).json().guild.id).toBe(guildId);
		for (const host of ["dofus-manager.test", "api.internal:8080", "forum.dofus-manager.test"])
			expect(await onHost(app, host).get("/health"), host).toAnswer(200);
		// localhost stays the platform's; its subdomains are no longer guilds'.
		expect(await onHost(app, "localhost").get("/health")).toAnswer(200);
		expect(await onHost(app, "iop.localhost").get("/health")).toAnswer(404, "guild.unknown_host");
	});
});

describe("a previous slug", () => {
	async function renamed() {
		const guild = await iopGuild();
		const response = await as(app, guild.owner).patch(`/api/guilds/${guild.guildId}`, { slug: "iop-des-bois" });
		expect(response).toAnswer(200, "guild.updated");
		return guild;
	}

	it("redirects 308 to the same path and query on the new host, port kept, for the redirect window at most", async () => {
		await renamed();
		const response = await onHost(app, "iop.localhost:3000").get("/api/guild?lang=fr");
		expect(response).toAnswer(308, "guild.moved");
		expect(response.headers.location).toBe("//iop-des-bois.localhost:3000/api/guild?lang=fr");
		expect(response.headers["cache-control"]).toBe("max-age=86400");
		expect(response.json()).toMatchObject({ error: "guild.moved", location: response.headers.location });
	});

	it("redirects writes too (308 keeps their method and body), before reading the body or the session", async () => {
		const { owner, guildId } = await renamed();
		const response = await onHost(app, "iop.localhost", owner).patch(`/api/guilds/${guildId}`, { name: "Nope" });
		expect(response).toAnswer(308, "guild.moved");
		expect(response.headers.location).toBe(`//iop-des-bois.localhost/api/guilds/${guildId}`);
	});

	it("serves the guild at the new host at once", async () => {
		const { guildId } = await renamed();
		expect((await onHost(app, "iop-des-bois.localhost").get("/api/guild")).json().guild).toMatchObject({
			id: guildId,
			slug: "iop-des-bois",
		});
	});

	it("serves the guild to an X-Guild naming it, and tells the current slug", async () => {
		const { guildId } = await renamed();
		const response = await onHost(app, "localhost").get("/api/guild", { "x-guild": "iop" });
		expect(response).toAnswer(200, "guild.profile");
		expect(response.json().guild.id).toBe(guildId);
		expect(response.headers["x-guild"]).toBe("iop-des-bois");
	});

	it("keeps the previous slug from other guilds during the window, and frees it after", async () => {
		await renamed();
		const other = await signUp(app);
		expect(await as(app, other).post("/api/guilds", { name: "Autres Iops", slug: "iop" })).toAnswer(
			409,
			"guild.slug_taken",
		);
		clock.advance(30 * 24 * 3_600_000 + 1_000);
		expect(await onHost(app, "iop.localhost").get("/api/guild")).toAnswer(404, "guild.unknown_host");
		// A month later, the session needs a fresh login too.
		expect(await as(app, await loginAs(app, other)).post("/api/guilds", { name: "Autres Iops", slug: "iop" })).toAnswer(
			201,
			"guild.created",
		);
	});

	it("shortens the redirect's cache lifetime to what is left of the window", async () => {
		await renamed();
		clock.advance(30 * 24 * 3_600_000 - 600_000);
		const response = await onHost(app, "iop.localhost").get("/api/guild");
		expect(response).toAnswer(308, "guild.moved");
		expect(response.headers["cache-control"]).toBe("max-age=600");
	});

	it("is current again when the guild takes it back", async () => {
		const { owner, guildId } = await renamed();
		expect(await as(app, owner).patch(`/api/guilds/${guildId}`, { slug: "iop" })).toAnswer(200, "guild.updated");
		expect(await onHost(app, "iop.localhost").get("/api/guild")).toAnswer(200, "guild.profile");
		expect(await onHost(app, "iop-des-bois.localhost").get("/api/guild")).toAnswer(308, "guild.moved");
	});

	it("does not redirect at all with SLUG_REDIRECT_DAYS=0", async () => {
		({ app } = buildIdentityApp(db, { config: { SLUG_REDIRECT_DAYS: 0 } }));
		await renamed();
		expect(await onHost(app, "iop.localhost").get("/api/guild")).toAnswer(404, "guild.unknown_host");
	});
});

describe("GET /api/guild/members", () => {
	it("lists the members to a member of the host's guild", async () => {
		const { owner, guildId, memberRoleId } = await iopGuild();
		const member = await signUp(app);
		await addMember(app, guildId, owner, member, memberRoleId);
		const response = await onHost(app, "iop.localhost", member).get("/api/guild/members");
		expect(response).toAnswer(200, "member.list");
		expect(response.json().members.map((row: { userId: number }) => row.userId)).toEqual([owner.id, member.id]);
	});

	it("answers 401 without a session", async () => {
		await iopGuild();
		expect(await onHost(app, "iop.localhost").get("/api/guild/members")).toAnswer(401, "session.missing");
	});

	it("shows a member of another guild nothing: 404 guild.notfound, as the id-addressed routes answer", async () => {
		const { owner } = await iopGuild();
		await createGuildWithSlug(app, owner, "sram");
		const stranger = await signUp(app);
		await createGuildWithSlug(app, stranger, "eca");
		const response = await onHost(app, "sram.localhost", stranger).get("/api/guild/members");
		expect(response).toAnswer(404, "guild.notfound");
		expect(await onHost(app, "sram.localhost", stranger).get("/api/guild/characters")).toAnswer(404, "guild.notfound");
	});

	it("answers 404 guild.unknown_host on the base domain without X-Guild", async () => {
		const { owner } = await iopGuild();
		expect(await onHost(app, "localhost", owner).get("/api/guild/members")).toAnswer(404, "guild.unknown_host");
	});
});

describe("GET /api/guild/characters", () => {
	it("lists the members' characters by name with their owners, a page at a time, to a member with character.view", async () => {
		const { owner, guildId, memberRoleId } = await iopGuild();
		const member = await signUp(app);
		await addMember(app, guildId, owner, member, memberRoleId);
		const outsider = await signUp(app);
		const ownerAccount = await createAccountAs(app, owner);
		const memberAccount = await createAccountAs(app, member);
		await createCharacterAs(app, owner, ownerAccount.id, { name: "Zorro" });
		await createCharacterAs(app, member, memberAccount.id, { name: "Amaknéen" });
		await createCharacterAs(app, member, memberAccount.id, { name: "Bonta" });
		await createCharacterAs(app, outsider, (await createAccountAs(app, outsider)).id, { name: "Ailleurs" });

		const response = await onHost(app, "iop.localhost", member).get("/api/guild/characters?limit=2");
		expect(response).toAnswer(200, "guild.characters");
		const body = response.json();
		expect(body.characters.map((character: { name: string }) => character.name)).toEqual(["Amaknéen", "Bonta"]);
		expect(body.characters[0].owner).toEqual({ userId: member.id, displayName: member.displayName });
		expect(body.pagination).toEqual({ page: 1, limit: 2, total: 3, totalPages: 2 });
		const second = await onHost(app, "iop.localhost", member).get("/api/guild/characters?limit=2&page=2");
		expect(second.json().characters.map((character: { name: string }) => character.name)).toEqual(["Zorro"]);
		const past = await onHost(app, "iop.localhost", member).get("/api/guild/characters?limit=2&page=5");
		expect(past.json()).toMatchObject({ characters: [], pagination: { total: 3 } });
	});

	it("answers 404 guild.unknown_host on the base domain without X-Guild", async () => {
		const { owner } = await iopGuild();
		expect(await onHost(app, "localhost", owner).get("/api/guild/characters")).toAnswer(404, "guild.unknown_host");
	});

	it("answers 403 right.missing to a member whose role lacks character.view", async () => {
		const { owner, guildId } = await iopGuild();
		const role = await as(app, owner).post(`/api/guilds/${guildId}/roles`, { name: "Recrue", permissions: [] });
		const recruit = await signUp(app);
		await addMember(app, guildId, owner, recruit, role.json().role.id);
		expect(await onHost(app, "iop.localhost", recruit).get("/api/guild/characters")).toAnswer(403, "right.missing");
	});
});
