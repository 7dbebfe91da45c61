// Custom domains: a guild adds them (right guild.manage), only a platform admin activates them, and the host follows.
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { App } from "../../src/core/index.js";
import type { Database } from "../../src/db/index.js";
import { anonymous, as } from "../helpers/calls.js";
import { getTestDatabase, resetTestDatabase } from "../helpers/database.js";
import { addMember, buildIdentityApp, signUp } from "../helpers/identity.js";
import { createGuildWithSlug, onHost } from "../helpers/tenancy.js";

let db: Database;
let app: App;

beforeAll(async () => {
	db = await getTestDatabase();
});

beforeEach(async () => {
	await resetTestDatabase(db);
	({ app } = buildIdentityApp(db, { config: { ADMIN_EMAILS: ["admin@example.test"] } }));
});

const signUpAdmin = () => signUp(app, { email: "admin@example.test" });

async function iopGuild() {
	const owner = await signUp(app);
	return { owner, ...(await createGuildWithSlug(app, owner, "iop")) };
}

async function addDomain(owner: { headers: { authorization: string } }, guildId: number, domain: string) {
	const response = await as(app, owner).post(`/api/guilds/${guildId}/domains`, { domain });
	expect(response).toAnswer(201, "domain.created");
	return response.json().domain as { id: number; domain: string };
}

describe("POST /api/guilds/{guildId}/domains", () => {
	it("adds the domain, normalised and waiting for an admin", async () => {
		const { owner, guildId } = await iopGuild();
		const response = await as(app, owner).post(`/api/guilds/${guildId}/domains`, { domain: " Guilde-Iop.FR. " });
		expect(response).toAnswer(201, "domain.created");
		expect(response.json().domain).toMatchObject({
			guildId,
			domain: "guilde-iop.fr",
			active: false,
			activatedAt: null,
		});
		expect(await onHost(app, "guilde-iop.fr").get("/api/guild")).toAnswer(404, "guild.unknown_host");
	});

	it.each([
		["an address", "192.168.0.10"],
		["a single label", "intranet"],
		["a localhost name", "iop.localhost"],
		["a name under the base domain", "localhost"],
		["a URL", "https://guilde-iop.fr/"],
	])("answers 400 domain.invalid to %s", async (_label, domain) => {
		const { owner, guildId } = await iopGuild();
		expect(await as(app, owner).post(`/api/guilds/${guildId}/domains`, { domain })).toAnswer(400, "domain.invalid");
	});

	it("answers 409 domain.taken to a domain already registered, by any guild", async () => {
		const { owner, guildId } = await iopGuild();
		await addDomain(owner, guildId, "guilde-iop.fr");
		const other = await signUp(app);
		const { guildId: otherGuildId } = await createGuildWithSlug(app, other, "sram");
		expect(await as(app, other).post(`/api/guilds/${otherGuildId}/domains`, { domain: "GUILDE-IOP.fr" })).toAnswer(
			409,
			"domain.taken",
		);
	});

	it("answers 409 domain.limit past 5 domains", async () => {
		const { owner, guildId } = await iopGuild();
		for (let n = 1; n <= 5; n++) await addDomain(owner, guildId, `iop-${n}.fr`);
		expect(await as(app, owner).post(`/api/guilds/${guildId}/domains`, { domain: "iop-6.fr" })).toAnswer(
			409,
			"domain.limit",
		);
	});

	it("answers 403 right.missing to a member without guild.manage, 404 to an outsider, 401 without a session", async () => {
		const { owner, guildId, memberRoleId } = await iopGuild();
		const member = await signUp(app);
		await addMember(app, guildId, owner, member, memberRoleId);
		const body = { domain: "guilde-iop.fr" };
		expect(await as(app, member).post(`/api/guilds/${guildId}/domains`, body)).toAnswer(403, "right.missing");
		expect(await as(app, await signUp(app)).post(`/api/guilds/${guildId}/domains`, body)).toAnswer(
			404,
			"guild.notfound",
		);
		expect(await anonymous(app).post(`/api/guilds/${guildId}/domains`, body)).toAnswer(401, "session.missing");
	});
});

describe("GET /api/guilds/{guildId}/domains", () => {
	it("lists the guild's domains and their state", async () => {
		const { owner, guildId } = await iopGuild();
		await addDomain(owner, guildId, "guilde-iop.fr");
		await addDomain(owner, guildId, "iop.example");
		const response = await as(app, owner).get(`/api/guilds/${guildId}/domains`);
		expect(response).toAnswer(200, "domain.list");
		expect(response.json().domains.map((row: { domain: string }) => row.domain)).toEqual([
			"guilde-iop.fr",
			"iop.example",
		]);
	});
});

describe("GET and DELETE /api/guilds/{guildId}/domains…: rights", () => {
	it("answer 403 right.missing to a member without guild.manage, and 404 guild.notfound to an outsider", async () => {
		const { owner, guildId, memberRoleId } = await iopGuild();
		const domain = await addDomain(owner, guildId, "guilde-iop.fr");
		const member = await signUp(app);
		await addMember(app, guildId, owner, member, memberRoleId);
		const outsider = await signUp(app);
		expect(await as(app, member).get(`/api/guilds/${guildId}/domains`)).toAnswer(403, "right.missing");
		expect(await as(app, member).delete(`/api/guilds/${guildId}/domains/${domain.id}`)).toAnswer(403, "right.missing");
		expect(await as(app, outsider).get(`/api/guilds/${guildId}/domains`)).toAnswer(404, "guild.notfound");
		expect(await as(app, outsider).delete(`/api/guilds/${guildId}/domains/${domain.id}`)).toAnswer(
			404,
			"guild.notfound",
		);
	});
});

describe("DELETE /api/guilds/{guildId}/domains/{domainId}", () => {
	it("deletes the domain, and its host stops serving the guild at once", async () => {
		const { owner, guildId } = await iopGuild();
		const domain = await addDomain(owner, guildId, "guilde-iop.fr");
		await as(app, await signUpAdmin()).put(`/api/admin/domains/${domain.id}/activation`);
		expect(await onHost(app, "guilde-iop.fr").get("/api/guild")).toAnswer(200, "guild.profile");
		expect(await as(app, owner).delete(`/api/guilds/${guildId}/domains/${domain.id}`)).toAnswer(204, "domain.deleted");
		expect(await onHost(app, "guilde-iop.fr").get("/api/guild")).toAnswer(404, "guild.unknown_host");
	});

	it("answers 404 domain.notfound for a domain of another guild", async () => {
		const { owner, guildId } = await iopGuild();
		const { guildId: otherGuildId } = await createGuildWithSlug(app, owner, "sram");
		const domain = await addDomain(owner, otherGuildId, "guilde-sram.fr");
		expect(await as(app, owner).delete(`/api/guilds/${guildId}/domains/${domain.id}`)).toAnswer(404, "domain.notfound");
	});
});

describe("PUT /api/admin/domains/{domainId}/activation", () => {
	it("activates the domain: its host serves the guild at once", async () => {
		const { owner, guildId } = await iopGuild();
		const domain = await addDomain(owner, guildId, "guilde-iop.fr");
		expect(await onHost(app, "guilde-iop.fr").get("/api/guild")).toAnswer(404, "guild.unknown_host");
		const admin = await signUpAdmin();
		const response = await as(app, admin).put(`/api/admin/domains/${domain.id}/activation`);
		expect(response).toAnswer(200, "domain.activated");
		expect(response.json().domain).toMatchObject({ id: domain.id, active: true, activatedAt: expect.any(String) });
		expect((await onHost(app, "guilde-iop.fr").get("/api/guild")).json().guild.id).toBe(guildId);
		// Again: the same state, the same answer.
		expect(await as(app, admin).put(`/api/admin/domains/${domain.id}/activation`)).toAnswer(200, "domain.activated");
	});

	it("answers the unknown-path 404 to anyone but a platform admin, the guild's owner included", async () => {
		const { owner, guildId } = await iopGuild();
		const domain = await addDomain(owner, guildId, "guilde-iop.fr");
		expect(await as(app, owner).put(`/api/admin/domains/${domain.id}/activation`)).toAnswer(404, "NOT_FOUND");
		expect(await onHost(app, "guilde-iop.fr").get("/api/guild")).toAnswer(404, "guild.unknown_host");
	});

	it("answers 404 domain.notfound for a domain that does not exist", async () => {
		expect(await as(app, await signUpAdmin()).put("/api/admin/domains/999/activation")).toAnswer(
			404,
			"domain.notfound",
		);
	});
});

describe("DELETE /api/admin/domains/{domainId}/activation", () => {
	it("deactivates the domain: its host stops serving the guild at once", async () => {
		const { owner, guildId } = await iopGuild();
		const domain = await addDomain(owner, guildId, "guilde-iop.fr");
		const admin = await signUpAdmin();
		await as(app, admin).put(`/api/admin/domains/${domain.id}/activation`);
		expect(await onHost(app, "guilde-iop.fr").get("/api/guild")).toAnswer(200, "guild.profile");
		const response = await as(app, admin).delete(`/api/admin/domains/${domain.id}/activation`);
		expect(response).toAnswer(200, "domain.deactivated");
		expect(response.json().domain).toMatchObject({ active: false, activatedAt: null });
		expect(await onHost(app, "guilde-iop.fr").get("/api/guild")).toAnswer(404, "guild.unknown_host");
		expect(await as(app, admin).delete("/api/admin/domains/999/activation")).toAnswer(404, "domain.notfound");
	});

	it("answers the unknown-path 404 to anyone but a platform admin", async () => {
		const { owner, guildId } = await iopGuild();
		const domain = await addDomain(owner, guildId, "guilde-iop.fr");
		await as(app, await signUpAdmin()).put(`/api/admin/domains/${domain.id}/activation`);
		expect(await as(app, owner).delete(`/api/admin/domains/${domain.id}/activation`)).toAnswer(404, "NOT_FOUND");
		expect(await onHost(app, "guilde-iop.fr").get("/api/guild")).toAnswer(200, "guild.profile");
	});
});

describe("GET /api/admin/domains", () => {
	it("lists every guild's domains with their guild, filtered by state", async () => {
		const { owner, guildId } = await iopGuild();
		const waiting = await addDomain(owner, guildId, "waiting.fr");
		const active = await addDomain(owner, guildId, "active.fr");
		const admin = await signUpAdmin();
		await as(app, admin).put(`/api/admin/domains/${active.id}/activation`);
		const all = await as(app, admin).get("/api/admin/domains");
		expect(all).toAnswer(200, "domain.list");
		expect(all.json().domains).toEqual([
			expect.objectContaining({
				id: waiting.id,
				active: false,
				guild: { id: guildId, slug: "iop", name: "Guild iop" },
			}),
			expect.objectContaining({ id: active.id, active: true }),
		]);
		const pending = await as(app, admin).get("/api/admin/domains?state=pending");
		expect(pending.json().domains.map((row: { id: number }) => row.id)).toEqual([waiting.id]);
		const activeOnly = await as(app, admin).get("/api/admin/domains?state=active");
		expect(activeOnly.json().domains.map((row: { id: number }) => row.id)).toEqual([active.id]);
		expect(await as(app, owner).get("/api/admin/domains")).toAnswer(404, "NOT_FOUND");
	});
});
