// Guild routes: create, list, read, rename, delete; the userHasRight process (404 for outsiders, 403 without the right).
import { describe, expect, it } from "vitest";
import type { App } from "../../src/core/index.js";
import type { Database } from "../../src/db/index.js";
import { anonymous, as } from "../helpers/calls.js";
import { addMember, createGuildAs, freshAppPerTest, signUp } from "../helpers/identity.js";

let db: Database;
let app: App;

freshAppPerTest((fresh) => ({ db, app } = fresh));

describe("POST /api/guilds", () => {
	it("creates the guild with owner and member roles, the creator as owner", async () => {
		const owner = await signUp(app);
		const response = await as(app, owner).post("/api/guilds", { name: "Les Bworks" });
		expect(response).toAnswer(201, "guild.created");
		expect(response.json().guild).toMatchObject({ name: "Les Bworks", createdBy: owner.id, role: { kind: "owner" } });
		const roles = (await as(app, owner).get(`/api/guilds/${response.json().guild.id}/roles`)).json().roles;
		expect(roles.map((role: { kind: string }) => role.kind)).toEqual(["owner", "member"]);
	});

	it("answers 400 for a name too short and 401 without a session", async () => {
		const owner = await signUp(app);
		expect((await as(app, owner).post("/api/guilds", { name: "x" })).info).toBe("TYPE_ERROR.body.name");
		expect((await anonymous(app).post("/api/guilds", { name: "Guild" })).statusCode).toBe(401);
	});
});

describe("GET /api/guilds", () => {
	it("lists only the guilds the caller is a member of, with their role", async () => {
		const owner = await signUp(app);
		const stranger = await signUp(app);
		const { guildId } = await createGuildAs(app, owner, "Mine");
		await createGuildAs(app, stranger, "Theirs");
		const response = await as(app, owner).get("/api/guilds");
		expect(response).toAnswer(200, "guild.list");
		expect(response.json().guilds).toEqual([
			expect.objectContaining({ id: guildId, name: "Mine", role: expect.objectContaining({ kind: "owner" }) }),
		]);
	});
});

describe("GET /api/guilds/{guildId}", () => {
	it("answers the guild and the caller's role to a member", async () => {
		const owner = await signUp(app);
		const member = await signUp(app);
		const { guildId, memberRoleId } = await createGuildAs(app, owner);
		await addMember(app, guildId, owner, member, memberRoleId);
		const response = await as(app, member).get(`/api/guilds/${guildId}`);
		expect(response).toAnswer(200, "guild.found");
		expect(response.json()).toMatchObject({
			guild: { id: guildId },
			myRole: { kind: "member", permissions: ["character.view"] },
		});
	});

	it("answers 404 guild.notfound to a non-member, exactly as for a guild that does not exist", async () => {
		const owner = await signUp(app);
		const stranger = await signUp(app);
		const { guildId } = await createGuildAs(app, owner);
		const hidden = await as(app, stranger).get(`/api/guilds/${guildId}`);
		const missing = await as(app, stranger).get("/api/guilds/99999");
		expect(hidden).toAnswer(404, "guild.notfound");
		expect([missing.statusCode, missing.body]).toEqual([404, hidden.body]);
	});
});

describe("PATCH /api/guilds/{guildId}", () => {
	it("renames the guild for a member with guild.manage", async () => {
		const owner = await signUp(app);
		const { guildId } = await createGuildAs(app, owner);
		const response = await as(app, owner).patch(`/api/guilds/${guildId}`, { name: "Renamed" });
		expect([response.statusCode, response.info, response.json().guild.name]).toEqual([200, "guild.updated", "Renamed"]);
	});

	it("answers 403 right.missing to a member without guild.manage", async () => {
		const owner = await signUp(app);
		const member = await signUp(app);
		const { guildId, memberRoleId } = await createGuildAs(app, owner);
		await addMember(app, guildId, owner, member, memberRoleId);
		const response = await as(app, member).patch(`/api/guilds/${guildId}`, { name: "Mine now" });
		expect([response.statusCode, response.info, response.json().error]).toEqual([
			403,
			"right.missing",
			"right.missing",
		]);
	});

	it("answers 404 guild.notfound to a non-member", async () => {
		const owner = await signUp(app);
		const stranger = await signUp(app);
		const { guildId } = await createGuildAs(app, owner);
		expect((await as(app, stranger).patch(`/api/guilds/${guildId}`, { name: "Pwned" })).info).toBe("guild.notfound");
	});
});

describe("DELETE /api/guilds/{guildId}", () => {
	it("deletes the guild for its owner", async () => {
		const owner = await signUp(app);
		const { guildId } = await createGuildAs(app, owner);
		const response = await as(app, owner).delete(`/api/guilds/${guildId}`);
		expect(response).toAnswer(204, "guild.deleted");
		expect((await as(app, owner).get(`/api/guilds/${guildId}`)).statusCode).toBe(404);
	});

	it("answers 403 owner.required to a manager who is not an owner", async () => {
		const owner = await signUp(app);
		const manager = await signUp(app);
		const { guildId } = await createGuildAs(app, owner);
		const role = await as(app, owner).post(`/api/guilds/${guildId}/roles`, {
			name: "Bras droit",
			permissions: ["guild.manage"],
		});
		await addMember(app, guildId, owner, manager, role.json().role.id);
		const response = await as(app, manager).delete(`/api/guilds/${guildId}`);
		expect(response).toAnswer(403, "owner.required");
	});

	it("answers 404 to a non-member", async () => {
		const owner = await signUp(app);
		const stranger = await signUp(app);
		const { guildId } = await createGuildAs(app, owner);
		expect((await as(app, stranger).delete(`/api/guilds/${guildId}`)).statusCode).toBe(404);
	});
});
