// Team routes: personal and guild teams, who reads and who manages them, members (8 at most, one server, the right owners).
import { describe, expect, it } from "vitest";
import type { App } from "../../src/core/index.js";
import type { Database } from "../../src/db/index.js";
import { as } from "../helpers/calls.js";
import { addToTeam, createRosterAs, createTeamAs } from "../helpers/domain.js";
import { reference } from "../helpers/fixtures.js";
import { addMember, createGuildAs, freshAppPerTest, signUp } from "../helpers/identity.js";

let db: Database;
let app: App;

freshAppPerTest((fresh) => ({ db, app } = fresh));

/** An owner, a manager (team.manage) and a plain member (character.view only) of one guild. */
async function guildWithRoles() {
	const owner = await signUp(app);
	const manager = await signUp(app);
	const member = await signUp(app);
	const { guildId, memberRoleId } = await createGuildAs(app, owner);
	const role = await as(app, owner).post(`/api/guilds/${guildId}/roles`, {
		name: "Stratège",
		permissions: ["team.manage"],
	});
	await addMember(app, guildId, owner, manager, role.json().role.id);
	await addMember(app, guildId, owner, member, memberRoleId);
	return { guildId, owner, manager, member };
}

describe("POST /api/teams", () => {
	it("creates a personal team owned by the caller", async () => {
		const user = await signUp(app);
		const response = await as(app, user).post("/api/teams", { name: "Donjons", serverId: reference.server.dakal });
		expect(response).toAnswer(201, "team.created");
		expect(response.json().team).toMatchObject({
			name: "Donjons",
			ownerUserId: user.id,
			guildId: null,
			serverId: reference.server.dakal,
			members: [],
		});
	});

	it("creates a guild team for a member with team.manage", async () => {
		const { guildId, manager } = await guildWithRoles();
		const team = await createTeamAs(app, manager, { guildId });
		expect([team.guildId, team.ownerUserId]).toEqual([guildId, null]);
	});

	it("answers 403 right.missing to a member without team.manage and 404 guild.notfound to an outsider", async () => {
		const { guildId, member } = await guildWithRoles();
		const outsider = await signUp(app);
		const body = { name: "Nope", serverId: reference.server.dakal, guildId };
		const refused = await app.inject({ method: "POST", url: "/api/teams", headers: member.headers, body });
		const hidden = await app.inject({ method: "POST", url: "/api/teams", headers: outsider.headers, body });
		expect([refused.statusCode, refused.info, hidden.statusCode, hidden.info]).toEqual([
			403,
			"right.missing",
			404,
			"guild.notfound",
		]);
	});

	it("answers 404 server.notfound, 400 for an empty name, 409 team.name_taken for a name the owner uses", async () => {
		const user = await signUp(app);
		const post = (body: object) => app.inject({ method: "POST", url: "/api/teams", headers: user.headers, body });
		expect((await post({ name: "Team", serverId: 9999 })).info).toBe("server.notfound");
		expect((await post({ name: "", serverId: reference.server.dakal })).info).toBe("TYPE_ERROR.body.name");
		await createTeamAs(app, user, { name: "Team" });
		const taken = await post({ name: "TEAM", serverId: reference.server.dakal });
		expect(taken).toAnswer(409, "team.name_taken");
	});
});

describe("GET /api/teams", () => {
	it("lists my teams and my guilds' teams, with member counts, never a stranger's", async () => {
		const { guildId, owner, member } = await guildWithRoles();
		const stranger = await signUp(app);
		const guildTeam = await createTeamAs(app, owner, { guildId });
		const mine = await createTeamAs(app, member);
		await createTeamAs(app, stranger);
		const { characters } = await createRosterAs(app, member, 1);
		await addToTeam(app, member, mine.id, characters[0]?.id ?? 0);
		const response = await as(app, member).get("/api/teams");
		expect(response).toAnswer(200, "team.list");
		expect(
			response.json().teams.map((team: { id: number; memberCount: number }) => [team.id, team.memberCount]),
		).toEqual([
			[guildTeam.id, 0],
			[mine.id, 1],
		]);
	});
});

describe("GET /api/teams/{teamId}", () => {
	it("answers the team with its members to its owner and to guild members", async () => {
		const { guildId, owner, member } = await guildWithRoles();
		const team = await createTeamAs(app, owner, { guildId });
		const { characters } = await createRosterAs(app, member, 1);
		expect((await addToTeam(app, owner, team.id, characters[0]?.id ?? 0)).statusCode).toBe(201);
		const response = await as(app, member).get(`/api/teams/${team.id}`);
		expect(response).toAnswer(200, "team.found");
		expect(response.json().team.members).toEqual([
			expect.objectContaining({ id: characters[0]?.id, userId: member.id }),
		]);
	});

	it("answers 404 team.notfound to a stranger, as for a missing team", async () => {
		const owner = await signUp(app);
		const stranger = await signUp(app);
		const team = await createTeamAs(app, owner);
		const hidden = await as(app, stranger).get(`/api/teams/${team.id}`);
		const missing = await as(app, stranger).get("/api/teams/99999");
		expect(hidden).toAnswer(404, "team.notfound");
		expect(missing.body).toBe(hidden.body);
	});
});

describe("PATCH /api/teams/{teamId}", () => {
	it("renames the team and moves an empty team to another server", async () => {
		const user = await signUp(app);
		const team = await createTeamAs(app, user);
		const response = await as(app, user).patch(`/api/teams/${team.id}`, {
			name: "Renamed",
			serverId: reference.server.dakal,
		});
		expect([response.statusCode, response.info, response.json().team]).toEqual([
			200,
			"team.updated",
			expect.objectContaining({ name: "Renamed", serverId: reference.server.dakal }),
		]);
	});

	it("answers 409 team.server_mismatch when moving a team that holds characters", async () => {
		const user = await signUp(app);
		const team = await createTeamAs(app, user);
		const { characters } = await createRosterAs(app, user, 1);
		await addToTeam(app, user, team.id, characters[0]?.id ?? 0);
		const response = await as(app, user).patch(`/api/teams/${team.id}`, { serverId: reference.server.dakal });
		expect(response).toAnswer(409, "team.server_mismatch");
	});

	it("answers 409 team.name_taken, 404 server.notfound", async () => {
		const user = await signUp(app);
		await createTeamAs(app, user, { name: "First" });
		const team = await createTeamAs(app, user);
		const patch = (body: object) =>
			app.inject({ method: "PATCH", url: `/api/teams/${team.id}`, headers: user.headers, body });
		expect((await patch({ name: "first" })).info).toBe("team.name_taken");
		expect((await patch({ serverId: 9999 })).info).toBe("server.notfound");
	});

	it("answers 403 right.missing to a guild member without team.manage, 404 to a stranger", async () => {
		const { guildId, owner, member } = await guildWithRoles();
		const stranger = await signUp(app);
		const team = await createTeamAs(app, owner, { guildId });
		const refused = await as(app, member).patch(`/api/teams/${team.id}`, { name: "Mine" });
		const hidden = await as(app, stranger).patch(`/api/teams/${team.id}`, { name: "Mine" });
		expect([refused.statusCode, refused.info, hidden.statusCode, hidden.info]).toEqual([
			403,
			"right.missing",
			404,
			"team.notfound",
		]);
	});
});

describe("DELETE /api/teams/{teamId}", () => {
	it("deletes the team, not its characters", async () => {
		const user = await signUp(app);
		const team = await createTeamAs(app, user);
		const { characters } = await createRosterAs(app, user, 1);
		await addToTeam(app, user, team.id, characters[0]?.id ?? 0);
		const response = await as(app, user).delete(`/api/teams/${team.id}`);
		expect(response).toAnswer(204, "team.deleted");
		expect((await as(app, user).get(`/api/teams/${team.id}`)).statusCode).toBe(404);
		expect((await as(app, user).get(`/api/characters/${characters[0]?.id}`)).statusCode).toBe(200);
	});

	it("lets a guild manager delete a guild team and refuses a plain member", async () => {
		const { guildId, owner, manager, member } = await guildWithRoles();
		const team = await createTeamAs(app, owner, { guildId });
		expect((await as(app, member).delete(`/api/teams/${team.id}`)).info).toBe("right.missing");
		expect((await as(app, manager).delete(`/api/teams/${team.id}`)).statusCode).toBe(204);
	});
});

describe("PUT /api/teams/{teamId}/members/{characterId}", () => {
	it("adds a character (201), and answers 200 team.member_present when it is already there", async () => {
		const user = await signUp(app);
		const team = await createTeamAs(app, user);
		const { characters } = await createRosterAs(app, user, 1);
		const added = await addToTeam(app, user, team.id, characters[0]?.id ?? 0);
		expect([added.statusCode, added.info, added.json().team.members.length]).toEqual([201, "team.member_added", 1]);
		const again = await addToTeam(app, user, team.id, characters[0]?.id ?? 0);
		expect([again.statusCode, again.info, again.json().team.members.length]).toEqual([200, "team.member_present", 1]);
	});

	it("answers 409 team.full for a ninth character", async () => {
		const user = await signUp(app);
		const team = await createTeamAs(app, user);
		const { characters } = await createRosterAs(app, user, 9);
		for (const character of characters.slice(0, 8))
			expect((await addToTeam(app, user, team.id, character.id)).statusCode).toBe(201);
		const ninth = await addToTeam(app, user, team.id, characters[8]?.id ?? 0);
		expect(ninth).toAnswer(409, "team.full");
	});

	it("never lets concurrent additions make a team of nine", async () => {
		const user = await signUp(app);
		const team = await createTeamAs(app, user);
		const { characters } = await createRosterAs(app, user, 10);
		for (const character of characters.slice(0, 6)) await addToTeam(app, user, team.id, character.id);
		const answers = await Promise.all(
			characters.slice(6).map((character) => addToTeam(app, user, team.id, character.id)),
		);
		expect(answers.map((answer) => answer.statusCode).sort()).toEqual([201, 201, 409, 409]);
		expect((await as(app, user).get(`/api/teams/${team.id}`)).json().team.members).toHaveLength(8);
	});

	it("answers 409 team.server_mismatch for a character of another server", async () => {
		const user = await signUp(app);
		const team = await createTeamAs(app, user, { serverId: reference.server.draconiros });
		const { characters } = await createRosterAs(app, user, 1, { serverId: reference.server.dakal });
		const response = await addToTeam(app, user, team.id, characters[0]?.id ?? 0);
		expect(response).toAnswer(409, "team.server_mismatch");
	});

	it("answers 404 character.notfound for another user's character in a personal team, and for a missing one", async () => {
		const user = await signUp(app);
		const stranger = await signUp(app);
		const team = await createTeamAs(app, user);
		const { characters } = await createRosterAs(app, stranger, 1);
		const hidden = await addToTeam(app, user, team.id, characters[0]?.id ?? 0);
		const missing = await addToTeam(app, user, team.id, 99999);
		expect([hidden.statusCode, hidden.info, missing.statusCode, missing.info]).toEqual([
			404,
			"character.notfound",
			404,
			"character.notfound",
		]);
	});

	it("lets a guild team hold characters of several members, never an outsider's", async () => {
		const { guildId, owner, manager, member } = await guildWithRoles();
		const outsider = await signUp(app);
		const team = await createTeamAs(app, manager, { guildId });
		const own = (await createRosterAs(app, owner, 1)).characters[0]?.id ?? 0;
		const members = (await createRosterAs(app, member, 1)).characters[0]?.id ?? 0;
		const outsiders = (await createRosterAs(app, outsider, 1)).characters[0]?.id ?? 0;
		expect((await addToTeam(app, manager, team.id, own)).statusCode).toBe(201);
		expect((await addToTeam(app, manager, team.id, members)).statusCode).toBe(201);
		expect((await addToTeam(app, manager, team.id, outsiders)).info).toBe("character.notfound");
		expect((await addToTeam(app, member, team.id, members)).info).toBe("right.missing");
	});

	it("answers 404 team.notfound for a stranger's team or a missing one", async () => {
		const owner = await signUp(app);
		const stranger = await signUp(app);
		const team = await createTeamAs(app, owner);
		const { characters } = await createRosterAs(app, stranger, 1);
		expect((await addToTeam(app, stranger, team.id, characters[0]?.id ?? 0)).info).toBe("team.notfound");
		expect((await addToTeam(app, stranger, 99999, characters[0]?.id ?? 0)).info).toBe("team.notfound");
	});
});

describe("DELETE /api/teams/{teamId}/members/{characterId}", () => {
	it("takes the character out of the team", async () => {
		const user = await signUp(app);
		const team = await createTeamAs(app, user);
		const { characters } = await createRosterAs(app, user, 1);
		await addToTeam(app, user, team.id, characters[0]?.id ?? 0);
		const response = await as(app, user).delete(`/api/teams/${team.id}/members/${characters[0]?.id}`);
		expect(response).toAnswer(204, "team.member_removed");
		const again = await as(app, user).delete(`/api/teams/${team.id}/members/${characters[0]?.id}`);
		expect(again).toAnswer(404, "team.member_notfound");
	});

	it("answers 404 team.notfound to a stranger and leaves the member in place", async () => {
		const owner = await signUp(app);
		const stranger = await signUp(app);
		const team = await createTeamAs(app, owner);
		const { characters } = await createRosterAs(app, owner, 1);
		await addToTeam(app, owner, team.id, characters[0]?.id ?? 0);
		const response = await as(app, stranger).delete(`/api/teams/${team.id}/members/${characters[0]?.id}`);
		expect(response).toAnswer(404, "team.notfound");
		expect((await as(app, owner).get(`/api/teams/${team.id}`)).json().team.members).toHaveLength(1);
	});
});
