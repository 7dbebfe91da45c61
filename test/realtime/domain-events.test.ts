// The domain events the API logs: for each change, its type, who hears of it and what it says; nothing for a change
// that is refused or rolled back; and a private character's events reach none of the rooms of users outside its guilds.
// Over 400 lines on purpose: every domain event type in one specification, one short `it` per change.
import { describe, expect, it } from "vitest";
import type { App } from "../../src/core/index.js";
import type { Database } from "../../src/db/index.js";
import { createEventRoomResolver } from "../../src/services/event-rooms.js";
import { as } from "../helpers/calls.js";
import { addToTeam, createAccountAs, createCharacterAs, createRosterAs, createTeamAs } from "../helpers/domain.js";
import { publishedEvents } from "../helpers/events.js";
import { reference } from "../helpers/fixtures.js";
import {
	addMember,
	createGuildAs,
	createGuildWithMember,
	freshAppPerTest,
	type LoggedIn,
	signUp,
} from "../helpers/identity.js";

let db: Database;
let app: App;

freshAppPerTest((fresh) => ({ db, app } = fresh));

/** What `call` answered and the events it logged, without those of the set-up before it. */
async function logged<T>(call: () => Promise<T>) {
	const before = (await publishedEvents(db)).length;
	const response = await call();
	const events = (await publishedEvents(db)).slice(before).map(({ type, audience, data, recheck }) => ({
		type,
		audience,
		data,
		recheck,
	}));
	return { response, events };
}

/** A custom role of the guild with these permissions, created by `owner`. */
async function createRole(owner: LoggedIn, guildId: number, permissions: string[]): Promise<number> {
	const response = await as(app, owner).post(`/api/guilds/${guildId}/roles`, {
		name: permissions.join("+") || "none",
		permissions,
	});
	expect(response).toAnswer(201, "role.created");
	return response.json().role.id;
}

describe("character events", () => {
	it("POST /api/characters logs character.created with the character and its owner, to the owner", async () => {
		const owner = await signUp(app);
		const account = await createAccountAs(app, owner);
		const { response, events } = await logged(() =>
			as(app, owner).post("/api/characters", {
				accountId: account.id,
				name: "Crocodaille",
				classId: reference.class.iop,
				serverId: reference.server.draconiros,
			}),
		);
		expect(response).toAnswer(201, "character.created");
		expect(events).toEqual([
			{
				type: "character.created",
				audience: [`user:${owner.id}`],
				data: { ...response.json().character, userId: owner.id },
				recheck: null,
			},
		]);
	});

	it("reaches the fellows of each of the owner's guilds who may view characters", async () => {
		const { owner, guildId } = await createGuildWithMember(app);
		const second = await createGuildAs(app, owner);
		const account = await createAccountAs(app, owner);
		const { events } = await logged(() => createCharacterAs(app, owner, account.id));
		expect(events.map((event) => event.audience)).toEqual([
			[`user:${owner.id}`, `guild:${guildId}#character.view`, `guild:${second.guildId}#character.view`],
		]);
	});

	it("a private character's event reaches no room of a user outside its owner's guilds", async () => {
		const { owner, member, guildId } = await createGuildWithMember(app);
		const stranger = await signUp(app);
		await createGuildAs(app, stranger);
		await createTeamAs(app, stranger);
		const blind = await signUp(app);
		await addMember(app, guildId, owner, blind, await createRole(owner, guildId, []));
		const account = await createAccountAs(app, owner);
		const { events } = await logged(() => createCharacterAs(app, owner, account.id));
		const audience = events[0]?.audience ?? [];
		const reaches = async (user: { id: number }) => {
			const visible = await createEventRoomResolver(db)(user.id);
			return [...visible.values()].flat().some((key) => audience.includes(key));
		};
		expect(await reaches(owner)).toBe(true);
		expect(await reaches(member)).toBe(true);
		expect(await reaches(stranger)).toBe(false);
		// A fellow of the guild whose role does not grant character.view.
		expect(await reaches(blind)).toBe(false);
	});

	it("POST /api/characters refused (409, the name is taken) logs nothing", async () => {
		const owner = await signUp(app);
		const account = await createAccountAs(app, owner);
		await createCharacterAs(app, owner, account.id, { name: "Twin" });
		const { response, events } = await logged(() =>
			as(app, owner).post("/api/characters", {
				accountId: account.id,
				name: "Twin",
				classId: reference.class.iop,
				serverId: reference.server.draconiros,
			}),
		);
		expect(response).toAnswer(409, "character.name_taken");
		expect(events).toEqual([]);
	});

	it("PATCH /api/characters/{id} logs character.updated to the owner and every team holding it", async () => {
		const owner = await signUp(app);
		const { characters } = await createRosterAs(app, owner, 1);
		const character = characters[0] as { id: number };
		const team = await createTeamAs(app, owner);
		await addToTeam(app, owner, team.id, character.id);
		const { response, events } = await logged(() =>
			as(app, owner).patch(`/api/characters/${character.id}`, { level: 150 }),
		);
		expect(response).toAnswer(200, "character.updated");
		expect(events).toEqual([
			{
				type: "character.updated",
				audience: [`user:${owner.id}`, `team:${team.id}`],
				data: { ...response.json().character, userId: owner.id },
				recheck: null,
			},
		]);
	});

	it("PATCH /api/characters/{id} refused (409, another server while in a team) logs nothing", async () => {
		const owner = await signUp(app);
		const { characters } = await createRosterAs(app, owner, 1);
		const character = characters[0] as { id: number };
		const team = await createTeamAs(app, owner);
		await addToTeam(app, owner, team.id, character.id);
		const { response, events } = await logged(() =>
			as(app, owner).patch(`/api/characters/${character.id}`, { serverId: reference.server.dakal }),
		);
		expect(response).toAnswer(409, "team.server_mismatch");
		expect(events).toEqual([]);
	});

	it("DELETE /api/characters/{id} logs character.deleted with its id, also to the teams it leaves", async () => {
		const { owner, guildId } = await createGuildWithMember(app);
		const { characters } = await createRosterAs(app, owner, 1);
		const character = characters[0] as { id: number };
		const team = await createTeamAs(app, owner, { guildId });
		await addToTeam(app, owner, team.id, character.id);
		const { response, events } = await logged(() => as(app, owner).delete(`/api/characters/${character.id}`));
		expect(response).toAnswer(204, "character.deleted");
		expect(events).toEqual([
			{
				type: "character.deleted",
				audience: [`user:${owner.id}`, `guild:${guildId}#character.view`, `team:${team.id}`],
				data: { id: character.id, userId: owner.id },
				recheck: null,
			},
		]);
	});

	it("POST /api/characters/bulk-delete logs one character.deleted per character of the caller's it deleted", async () => {
		const owner = await signUp(app);
		const other = await signUp(app);
		const { characters } = await createRosterAs(app, owner, 2);
		const { characters: theirs } = await createRosterAs(app, other, 1);
		const ids = [...characters, ...theirs].map((character) => character.id);
		const { response, events } = await logged(() => as(app, owner).post("/api/characters/bulk-delete", { ids }));
		expect(response.json()).toEqual({ deleted: 2 });
		expect(events).toEqual(
			characters.map((character) => ({
				type: "character.deleted",
				audience: [`user:${owner.id}`],
				data: { id: character.id, userId: owner.id },
				recheck: null,
			})),
		);
	});

	it("DELETE /api/accounts/{id}?cascade=true logs character.deleted for each character it takes away", async () => {
		const owner = await signUp(app);
		const { account, characters } = await createRosterAs(app, owner, 2);
		const { response, events } = await logged(() => as(app, owner).delete(`/api/accounts/${account.id}?cascade=true`));
		expect(response.statusCode, response.body).toBe(204);
		expect(events.map((event) => [event.type, event.data])).toEqual(
			characters.map((character) => ["character.deleted", { id: character.id, userId: owner.id }]),
		);
	});

	it("DELETE /api/accounts/{id} refused (409, it holds characters) logs nothing", async () => {
		const owner = await signUp(app);
		const { account } = await createRosterAs(app, owner, 1);
		const { response, events } = await logged(() => as(app, owner).delete(`/api/accounts/${account.id}`));
		expect(response.statusCode, response.body).toBe(409);
		expect(events).toEqual([]);
	});
});

describe("team events", () => {
	it("POST /api/teams (personal) logs team.created to the team and its owner, and rechecks the owner", async () => {
		const owner = await signUp(app);
		const { response, events } = await logged(() =>
			as(app, owner).post("/api/teams", { name: "Donjons", serverId: reference.server.draconiros }),
		);
		expect(response).toAnswer(201, "team.created");
		const team = response.json().team;
		expect(events).toEqual([
			{
				type: "team.created",
				audience: [`team:${team.id}`, `user:${owner.id}`],
				data: team,
				recheck: { users: [owner.id] },
			},
		]);
	});

	it("POST /api/teams (a guild's) logs team.created to the team and the guild, and rechecks the guild", async () => {
		const { owner, guildId } = await createGuildWithMember(app);
		const { response, events } = await logged(() =>
			as(app, owner).post("/api/teams", { name: "Raid", serverId: reference.server.draconiros, guildId }),
		);
		const team = response.json().team;
		expect(events).toEqual([
			{
				type: "team.created",
				audience: [`team:${team.id}`, `guild:${guildId}`],
				data: team,
				recheck: { rooms: [`guild:${guildId}`] },
			},
		]);
	});

	it("POST /api/teams refused (409, the name is taken) logs nothing", async () => {
		const owner = await signUp(app);
		await createTeamAs(app, owner, { name: "Twins" });
		const { response, events } = await logged(() =>
			as(app, owner).post("/api/teams", { name: "Twins", serverId: reference.server.draconiros }),
		);
		expect(response).toAnswer(409, "team.name_taken");
		expect(events).toEqual([]);
	});

	it("PATCH /api/teams/{id} logs team.updated to the team and its owner", async () => {
		const owner = await signUp(app);
		const team = await createTeamAs(app, owner);
		const { response, events } = await logged(() => as(app, owner).patch(`/api/teams/${team.id}`, { name: "Renamed" }));
		const { members: _members, ...updated } = response.json().team;
		expect(events).toEqual([
			{ type: "team.updated", audience: [`team:${team.id}`, `user:${owner.id}`], data: updated, recheck: null },
		]);
	});

	it("DELETE /api/teams/{id} logs team.deleted to the team and its guild, and rechecks the guild", async () => {
		const { owner, guildId } = await createGuildWithMember(app);
		const team = await createTeamAs(app, owner, { guildId });
		const { response, events } = await logged(() => as(app, owner).delete(`/api/teams/${team.id}`));
		expect(response.statusCode, response.body).toBe(204);
		expect(events).toEqual([
			{
				type: "team.deleted",
				audience: [`team:${team.id}`, `guild:${guildId}`],
				data: { id: team.id, ownerUserId: null, guildId },
				recheck: { rooms: [`guild:${guildId}`] },
			},
		]);
	});

	it("PUT /api/teams/{id}/members/{characterId} logs team.member_added to the team, once", async () => {
		const owner = await signUp(app);
		const { characters } = await createRosterAs(app, owner, 1);
		const character = characters[0] as { id: number };
		const team = await createTeamAs(app, owner);
		const added = await logged(() => addToTeam(app, owner, team.id, character.id));
		expect(added.events).toEqual([
			{
				type: "team.member_added",
				audience: [`team:${team.id}`],
				data: { teamId: team.id, characterId: character.id },
				recheck: null,
			},
		]);
		// Already there: nothing changed, nothing to tell.
		const again = await logged(() => addToTeam(app, owner, team.id, character.id));
		expect(again.response.statusCode, again.response.body).toBe(200);
		expect(again.events).toEqual([]);
	});

	it("PUT /api/teams/{id}/members/{characterId} refused (409, another server) logs nothing", async () => {
		const owner = await signUp(app);
		const { characters } = await createRosterAs(app, owner, 1, { serverId: reference.server.dakal });
		const team = await createTeamAs(app, owner);
		const { response, events } = await logged(() =>
			addToTeam(app, owner, team.id, (characters[0] as { id: number }).id),
		);
		expect(response.statusCode, response.body).toBe(409);
		expect(events).toEqual([]);
	});

	it("DELETE /api/teams/{id}/members/{characterId} logs team.member_removed to the team", async () => {
		const owner = await signUp(app);
		const { characters } = await createRosterAs(app, owner, 1);
		const character = characters[0] as { id: number };
		const team = await createTeamAs(app, owner);
		await addToTeam(app, owner, team.id, character.id);
		const { response, events } = await logged(() =>
			as(app, owner).delete(`/api/teams/${team.id}/members/${character.id}`),
		);
		expect(response.statusCode, response.body).toBe(204);
		expect(events).toEqual([
			{
				type: "team.member_removed",
				audience: [`team:${team.id}`],
				data: { teamId: team.id, characterId: character.id },
				recheck: null,
			},
		]);
	});
});

describe("progression events", () => {
	it("PUT /api/characters/{id}/progressions/{kind}/{refId} logs progression.saved to whoever may see the character", async () => {
		const { owner, guildId } = await createGuildWithMember(app);
		const { characters } = await createRosterAs(app, owner, 1);
		const character = characters[0] as { id: number };
		const team = await createTeamAs(app, owner);
		await addToTeam(app, owner, team.id, character.id);
		const { response, events } = await logged(() =>
			as(app, owner).put(`/api/characters/${character.id}/progressions/dungeon/${reference.dungeon.kardorim}`, {
				status: "done",
			}),
		);
		expect(response.statusCode, response.body).toBe(200);
		expect(events).toEqual([
			{
				type: "progression.saved",
				audience: [`user:${owner.id}`, `guild:${guildId}#character.view`, `team:${team.id}`],
				data: { characterId: character.id, kind: "dungeon", refId: reference.dungeon.kardorim, status: "done" },
				recheck: null,
			},
		]);
	});
});

describe("guild events", () => {
	it("POST /api/guilds logs guild.member_joined for its creator, who is rechecked", async () => {
		const owner = await signUp(app);
		const { response, events } = await logged(() => as(app, owner).post("/api/guilds", { name: "Les Bouftous" }));
		const guild = response.json().guild;
		expect(events).toEqual([
			{
				type: "guild.member_joined",
				audience: [`guild:${guild.id}`, `user:${owner.id}`],
				data: { guildId: guild.id, userId: owner.id, roleId: guild.role.id },
				recheck: { users: [owner.id] },
			},
		]);
	});

	it("POST /api/invitations/{token}/accept logs guild.member_joined for the invitee, who is rechecked", async () => {
		const owner = await signUp(app);
		const invitee = await signUp(app);
		const { guildId, memberRoleId } = await createGuildAs(app, owner);
		const { events } = await logged(() => addMember(app, guildId, owner, invitee, memberRoleId));
		expect(events).toEqual([
			{
				type: "guild.member_joined",
				audience: [`guild:${guildId}`, `user:${invitee.id}`],
				data: { guildId, userId: invitee.id, roleId: memberRoleId },
				recheck: { users: [invitee.id] },
			},
		]);
	});

	it("POST /api/invitations/{token}/accept refused (409, already a member) logs nothing", async () => {
		const owner = await signUp(app);
		const invitee = await signUp(app);
		const { guildId, memberRoleId } = await createGuildAs(app, owner);
		const invite = () =>
			as(app, owner).post(`/api/guilds/${guildId}/invitations`, { email: invitee.email, roleId: memberRoleId });
		const first = (await invite()).json().token;
		const second = (await invite()).json().token;
		expect(await as(app, invitee).post(`/api/invitations/${first}/accept`)).toAnswer(200);
		const { response, events } = await logged(() => as(app, invitee).post(`/api/invitations/${second}/accept`));
		expect(response).toAnswer(409, "guild.already_member");
		expect(events).toEqual([]);
	});

	it("DELETE /api/guilds/{id}/members/{me} logs guild.member_left, and team.member_removed for the guild teams they leave", async () => {
		const { owner, member, guildId } = await createGuildWithMember(app);
		const { characters } = await createRosterAs(app, member, 1);
		const character = characters[0] as { id: number };
		const team = await createTeamAs(app, owner, { guildId });
		await addToTeam(app, owner, team.id, character.id);
		const { response, events } = await logged(() =>
			as(app, member).delete(`/api/guilds/${guildId}/members/${member.id}`),
		);
		expect(response.statusCode, response.body).toBe(204);
		expect(events).toEqual([
			{
				type: "team.member_removed",
				audience: [`team:${team.id}`],
				data: { teamId: team.id, characterId: character.id },
				recheck: null,
			},
			{
				type: "guild.member_left",
				audience: [`guild:${guildId}`, `user:${member.id}`],
				data: { guildId, userId: member.id },
				recheck: { users: [member.id] },
			},
		]);
	});

	it("DELETE /api/guilds/{id}/members/{userId} by a manager logs guild.member_left for the member removed", async () => {
		const { owner, member, guildId } = await createGuildWithMember(app);
		const { events } = await logged(() => as(app, owner).delete(`/api/guilds/${guildId}/members/${member.id}`));
		expect(events).toEqual([
			{
				type: "guild.member_left",
				audience: [`guild:${guildId}`, `user:${member.id}`],
				data: { guildId, userId: member.id },
				recheck: { users: [member.id] },
			},
		]);
	});

	it("DELETE /api/guilds/{id}/members/{me} refused (409, the last owner) logs nothing", async () => {
		const { owner, guildId } = await createGuildWithMember(app);
		const { response, events } = await logged(() =>
			as(app, owner).delete(`/api/guilds/${guildId}/members/${owner.id}`),
		);
		expect(response).toAnswer(409, "owner.last");
		expect(events).toEqual([]);
	});

	it("PUT /api/guilds/{id}/members/{userId}/role logs guild.member_role_changed, and rechecks the member", async () => {
		const { owner, member, guildId } = await createGuildWithMember(app);
		const roleId = await createRole(owner, guildId, ["team.manage"]);
		const { response, events } = await logged(() =>
			as(app, owner).put(`/api/guilds/${guildId}/members/${member.id}/role`, { roleId }),
		);
		expect(response.statusCode, response.body).toBe(204);
		expect(events).toEqual([
			{
				type: "guild.member_role_changed",
				audience: [`guild:${guildId}`, `user:${member.id}`],
				data: { guildId, userId: member.id, roleId },
				recheck: { users: [member.id] },
			},
		]);
	});

	it("PATCH /api/guilds/{id} logs guild.updated with the guild, to the guild", async () => {
		const { owner, guildId } = await createGuildWithMember(app);
		const { response, events } = await logged(() =>
			as(app, owner).patch(`/api/guilds/${guildId}`, { name: "Renamed" }),
		);
		expect(events).toEqual([
			{ type: "guild.updated", audience: [`guild:${guildId}`], data: response.json().guild, recheck: null },
		]);
	});

	it("POST /api/guilds/{id}/roles logs guild.role_updated to the guild (nobody holds the role yet: no recheck)", async () => {
		const { owner, guildId } = await createGuildWithMember(app);
		const { response, events } = await logged(() =>
			as(app, owner).post(`/api/guilds/${guildId}/roles`, { name: "Officer", permissions: ["team.manage"] }),
		);
		expect(events).toEqual([
			{
				type: "guild.role_updated",
				audience: [`guild:${guildId}`],
				data: { guildId, roleId: response.json().role.id },
				recheck: null,
			},
		]);
	});

	it("PATCH /api/guilds/{id}/roles/{roleId} with new permissions logs guild.role_updated and rechecks the guild", async () => {
		const { owner, guildId, memberRoleId } = await createGuildWithMember(app);
		const { events } = await logged(() =>
			as(app, owner).patch(`/api/guilds/${guildId}/roles/${memberRoleId}`, {
				permissions: ["character.view", "team.manage"],
			}),
		);
		expect(events).toEqual([
			{
				type: "guild.role_updated",
				audience: [`guild:${guildId}`],
				data: { guildId, roleId: memberRoleId },
				recheck: { rooms: [`guild:${guildId}`] },
			},
		]);
	});

	it("DELETE /api/guilds/{id}/roles/{roleId} logs guild.role_updated with deleted", async () => {
		const { owner, guildId } = await createGuildWithMember(app);
		const roleId = await createRole(owner, guildId, ["team.manage"]);
		const { response, events } = await logged(() => as(app, owner).delete(`/api/guilds/${guildId}/roles/${roleId}`));
		expect(response.statusCode, response.body).toBe(204);
		expect(events).toEqual([
			{
				type: "guild.role_updated",
				audience: [`guild:${guildId}`],
				data: { guildId, roleId, deleted: true },
				recheck: null,
			},
		]);
	});

	it("DELETE /api/guilds/{id}/roles/{roleId} refused (409, members hold it: the delete throws) logs nothing", async () => {
		const { owner, member, guildId } = await createGuildWithMember(app);
		const roleId = await createRole(owner, guildId, ["team.manage"]);
		await as(app, owner).put(`/api/guilds/${guildId}/members/${member.id}/role`, { roleId });
		const { response, events } = await logged(() => as(app, owner).delete(`/api/guilds/${guildId}/roles/${roleId}`));
		expect(response).toAnswer(409, "role.in_use");
		expect(events).toEqual([]);
	});

	it("DELETE /api/guilds/{id} logs guild.deleted to the guild and to each member's own room, and rechecks the guild", async () => {
		const { owner, member, guildId } = await createGuildWithMember(app);
		const { response, events } = await logged(() => as(app, owner).delete(`/api/guilds/${guildId}`));
		expect(response.statusCode, response.body).toBe(204);
		expect(events).toEqual([
			{
				type: "guild.deleted",
				// The recheck takes the guild room away before delivery: the members' own rooms still reach them.
				audience: [`guild:${guildId}`, `user:${owner.id}`, `user:${member.id}`],
				data: { id: guildId },
				recheck: { rooms: [`guild:${guildId}`] },
			},
		]);
	});
});
