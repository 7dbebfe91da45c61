// Guild members and roles: listing, removing, leaving, changing roles, the last-owner rule, and role management.
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import type { App } from "../../src/core/index.js";
import type { Database } from "../../src/db/index.js";
import { as } from "../helpers/calls.js";
import { addToTeam, createRosterAs, createTeamAs } from "../helpers/domain.js";
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

const setRole = (headers: Record<string, string>, guildId: number, userId: number, roleId: number) =>
	app.inject({ method: "PUT", url: `/api/guilds/${guildId}/members/${userId}/role`, headers, body: { roleId } });
const removeMember = (headers: Record<string, string>, guildId: number, userId: number) =>
	app.inject({ method: "DELETE", url: `/api/guilds/${guildId}/members/${userId}`, headers });

describe("GET /api/guilds/{guildId}/members", () => {
	it("lists members with their role and without their email", async () => {
		const { owner, member, guildId } = await createGuildWithMember(app);
		const response = await as(app, member).get(`/api/guilds/${guildId}/members`);
		expect(response).toAnswer(200, "member.list");
		const members = response.json().members;
		expect(members.map((one: { userId: number }) => one.userId)).toEqual([owner.id, member.id]);
		expect(members[1].role.kind).toBe("member");
		expect(response.body).not.toContain(member.email);
	});

	it("answers 404 to a non-member", async () => {
		const { guildId } = await createGuildWithMember(app);
		const stranger = await signUp(app);
		expect((await as(app, stranger).get(`/api/guilds/${guildId}/members`)).info).toBe("guild.notfound");
	});
});

describe("DELETE /api/guilds/{guildId}/members/{userId}", () => {
	it("lets an owner remove a member", async () => {
		const { owner, member, guildId } = await createGuildWithMember(app);
		const response = await removeMember(owner.headers, guildId, member.id);
		expect(response).toAnswer(204, "member.removed");
		expect((await as(app, member).get(`/api/guilds/${guildId}`)).statusCode).toBe(404);
	});

	it("lets a member leave without member.remove", async () => {
		const { member, guildId } = await createGuildWithMember(app);
		expect((await removeMember(member.headers, guildId, member.id)).statusCode).toBe(204);
	});

	it("answers 403 right.missing to a member removing someone else", async () => {
		const { owner, member, guildId } = await createGuildWithMember(app);
		expect((await removeMember(member.headers, guildId, owner.id)).info).toBe("right.missing");
	});

	it("answers 409 owner.last when the last owner leaves", async () => {
		const { owner, guildId } = await createGuildWithMember(app);
		const response = await removeMember(owner.headers, guildId, owner.id);
		expect(response).toAnswer(409, "owner.last");
	});

	it("answers 404 user.notfound for an unknown user and 404 member.notfound for a non-member", async () => {
		const { owner, guildId } = await createGuildWithMember(app);
		const stranger = await signUp(app);
		expect((await removeMember(owner.headers, guildId, 99999)).info).toBe("user.notfound");
		expect((await removeMember(owner.headers, guildId, stranger.id)).info).toBe("member.notfound");
	});
});

describe("DELETE /api/guilds/{guildId}/members/{userId}: the member's characters leave the guild's teams", () => {
	const teamMemberIds = async (viewer: LoggedIn, teamId: number) => {
		const response = await as(app, viewer).get(`/api/teams/${teamId}`);
		expect(response.statusCode, response.body).toBe(200);
		return (response.json().team.members as { id: number }[]).map((member) => member.id).sort((a, b) => a - b);
	};
	const added = async (viewer: LoggedIn, teamId: number, characterId: number) =>
		expect((await addToTeam(app, viewer, teamId, characterId)).statusCode).toBe(201);

	/**
	 * The member's characters A and B sit in two teams of the guild (beside one of the owner's), in a team of a
	 * second guild they also belong to, and in their personal team.
	 */
	async function memberInTeams() {
		const { owner, member, guildId, memberRoleId } = await createGuildWithMember(app);
		const other = await createGuildAs(app, owner);
		await addMember(app, other.guildId, owner, member, other.memberRoleId);
		const [a, b] = (await createRosterAs(app, member, 2)).characters.map((character) => character.id) as [
			number,
			number,
		];
		const [ownerCharacter] = (await createRosterAs(app, owner, 1)).characters.map((character) => character.id) as [
			number,
		];
		const guildTeam = await createTeamAs(app, owner, { guildId });
		const secondGuildTeam = await createTeamAs(app, owner, { guildId });
		const otherGuildTeam = await createTeamAs(app, owner, { guildId: other.guildId });
		const personalTeam = await createTeamAs(app, member);
		for (const characterId of [a, b, ownerCharacter]) await added(owner, guildTeam.id, characterId);
		await added(owner, secondGuildTeam.id, b);
		await added(owner, otherGuildTeam.id, a);
		await added(member, personalTeam.id, a);
		return {
			owner,
			member,
			guildId,
			memberRoleId,
			a,
			b,
			ownerCharacter,
			guildTeam,
			secondGuildTeam,
			otherGuildTeam,
			personalTeam,
		};
	}

	it("takes them out of every team of that guild when an owner removes the member", async () => {
		const setup = await memberInTeams();
		expect((await removeMember(setup.owner.headers, setup.guildId, setup.member.id)).statusCode).toBe(204);
		expect(await teamMemberIds(setup.owner, setup.guildTeam.id)).toEqual([setup.ownerCharacter]);
		expect(await teamMemberIds(setup.owner, setup.secondGuildTeam.id)).toEqual([]);
	});

	it("takes them out when the member leaves, and keeps them in other guilds' teams and in personal teams", async () => {
		const setup = await memberInTeams();
		expect((await removeMember(setup.member.headers, setup.guildId, setup.member.id)).statusCode).toBe(204);
		expect(await teamMemberIds(setup.owner, setup.guildTeam.id)).toEqual([setup.ownerCharacter]);
		expect(await teamMemberIds(setup.owner, setup.secondGuildTeam.id)).toEqual([]);
		expect(await teamMemberIds(setup.member, setup.otherGuildTeam.id)).toEqual([setup.a]);
		expect(await teamMemberIds(setup.member, setup.personalTeam.id)).toEqual([setup.a]);
	});

	it("lets a member who comes back put the characters in again", async () => {
		const setup = await memberInTeams();
		await removeMember(setup.member.headers, setup.guildId, setup.member.id);
		await addMember(app, setup.guildId, setup.owner, setup.member, setup.memberRoleId);
		await added(setup.owner, setup.secondGuildTeam.id, setup.b);
		expect(await teamMemberIds(setup.owner, setup.secondGuildTeam.id)).toEqual([setup.b]);
	});

	it("rolls back the removal from the guild when taking the characters out of its teams fails", async () => {
		const setup = await memberInTeams();
		// A trigger makes the team_members delete fail after guild_members was already deleted in the same transaction.
		await db.execute(
			sql.raw(`create function test_refuse_team_member_delete() returns trigger language plpgsql as $$
			begin raise exception 'team_members delete refused by the test'; end $$`),
		);
		await db.execute(
			sql.raw(
				"create trigger test_refuse_team_member_delete before delete on team_members for each row execute function test_refuse_team_member_delete()",
			),
		);
		try {
			const response = await removeMember(setup.owner.headers, setup.guildId, setup.member.id);
			expect(response.statusCode).toBe(500);
		} finally {
			await db.execute(sql.raw("drop trigger test_refuse_team_member_delete on team_members"));
			await db.execute(sql.raw("drop function test_refuse_team_member_delete()"));
		}
		const members = (
			await app.inject({ url: `/api/guilds/${setup.guildId}/members`, headers: setup.owner.headers })
		).json().members as { userId: number }[];
		expect(members.map((member) => member.userId)).toContain(setup.member.id);
		expect(await teamMemberIds(setup.owner, setup.guildTeam.id)).toEqual(
			[setup.a, setup.b, setup.ownerCharacter].sort((x, y) => x - y),
		);
		expect(await teamMemberIds(setup.owner, setup.secondGuildTeam.id)).toEqual([setup.b]);
	});
});

describe("PUT /api/guilds/{guildId}/members/{userId}/role", () => {
	it("lets an owner promote a member to owner, who can then demote the first owner", async () => {
		const { owner, member, guildId, ownerRoleId, memberRoleId } = await createGuildWithMember(app);
		const promoted = await setRole(owner.headers, guildId, member.id, ownerRoleId);
		expect(promoted).toAnswer(204, "member.role_changed");
		expect((await setRole(member.headers, guildId, owner.id, memberRoleId)).statusCode).toBe(204);
	});

	it("answers 409 owner.last when demoting the last owner", async () => {
		const { owner, guildId, memberRoleId } = await createGuildWithMember(app);
		const response = await setRole(owner.headers, guildId, owner.id, memberRoleId);
		expect(response).toAnswer(409, "owner.last");
	});

	it("answers 403 owner.required when a role manager grants the owner role", async () => {
		const { owner, member, guildId, ownerRoleId } = await createGuildWithMember(app);
		const managers = await as(app, owner).post(`/api/guilds/${guildId}/roles`, {
			name: "Officier",
			permissions: ["role.manage"],
		});
		await setRole(owner.headers, guildId, member.id, managers.json().role.id);
		const response = await setRole(member.headers, guildId, member.id, ownerRoleId);
		expect(response).toAnswer(403, "owner.required");
	});

	it("answers 404 role.notfound for a role of another guild", async () => {
		const { owner, member, guildId } = await createGuildWithMember(app);
		const other = await createGuildAs(app, owner);
		expect((await setRole(owner.headers, guildId, member.id, other.memberRoleId)).info).toBe("role.notfound");
	});

	it("answers 403 right.missing without role.manage", async () => {
		const { owner, member, guildId, memberRoleId } = await createGuildWithMember(app);
		expect((await setRole(member.headers, guildId, owner.id, memberRoleId)).info).toBe("right.missing");
	});
});

describe("guild roles", () => {
	it("creates a role with permissions from the static list (201)", async () => {
		const { owner, guildId } = await createGuildWithMember(app);
		const response = await as(app, owner).post(`/api/guilds/${guildId}/roles`, {
			name: "Stratège",
			permissions: ["team.manage", "progression.edit"],
		});
		expect(response).toAnswer(201, "role.created");
		expect(response.json().role).toMatchObject({
			name: "Stratège",
			kind: "custom",
			permissions: ["team.manage", "progression.edit"],
		});
	});

	it("refuses a permission outside the list (400) and a duplicate name (409 role.name_taken)", async () => {
		const { owner, guildId } = await createGuildWithMember(app);
		const unknown = await as(app, owner).post(`/api/guilds/${guildId}/roles`, {
			name: "X",
			permissions: ["guild.destroy"],
		});
		expect(unknown.statusCode).toBe(400);
		const duplicate = await as(app, owner).post(`/api/guilds/${guildId}/roles`, { name: "member" });
		expect(duplicate).toAnswer(409, "role.name_taken");
	});

	it("updates a role's permissions, and grants them at once", async () => {
		const { owner, member, guildId, memberRoleId } = await createGuildWithMember(app);
		const patched = await as(app, owner).patch(`/api/guilds/${guildId}/roles/${memberRoleId}`, {
			permissions: ["character.view", "guild.manage"],
		});
		expect(patched).toAnswer(200, "role.updated");
		expect((await as(app, member).patch(`/api/guilds/${guildId}`, { name: "Now allowed" })).statusCode).toBe(200);
	});

	it("refuses to change the owner role or rename the member role (409 role.system)", async () => {
		const { owner, guildId, ownerRoleId, memberRoleId } = await createGuildWithMember(app);
		const patchOwner = await as(app, owner).patch(`/api/guilds/${guildId}/roles/${ownerRoleId}`, { permissions: [] });
		expect(patchOwner).toAnswer(409, "role.system");
		const renameMember = await as(app, owner).patch(`/api/guilds/${guildId}/roles/${memberRoleId}`, { name: "Peon" });
		expect(renameMember.info).toBe("role.system");
	});

	it("refuses to delete the system roles (409 role.system) and a role in use (409 role.in_use)", async () => {
		const { owner, member, guildId, ownerRoleId, memberRoleId } = await createGuildWithMember(app);
		for (const roleId of [ownerRoleId, memberRoleId]) {
			expect((await as(app, owner).delete(`/api/guilds/${guildId}/roles/${roleId}`)).info).toBe("role.system");
		}
		const custom = (await as(app, owner).post(`/api/guilds/${guildId}/roles`, { name: "Temp" })).json().role.id;
		await setRole(owner.headers, guildId, member.id, custom);
		const inUse = await as(app, owner).delete(`/api/guilds/${guildId}/roles/${custom}`);
		expect(inUse).toAnswer(409, "role.in_use");
	});

	it("deletes an unused custom role (204)", async () => {
		const { owner, guildId } = await createGuildWithMember(app);
		const custom = (await as(app, owner).post(`/api/guilds/${guildId}/roles`, { name: "Temp" })).json().role.id;
		const response = await as(app, owner).delete(`/api/guilds/${guildId}/roles/${custom}`);
		expect(response).toAnswer(204, "role.deleted");
		expect((await as(app, owner).delete(`/api/guilds/${guildId}/roles/${custom}`)).info).toBe("role.notfound");
	});

	it("answers 403 right.missing to members without role.manage, and 404 to outsiders", async () => {
		const { member, guildId } = await createGuildWithMember(app);
		const stranger = await signUp(app);
		expect((await as(app, member).post(`/api/guilds/${guildId}/roles`, { name: "Mine" })).info).toBe("right.missing");
		expect((await as(app, stranger).get(`/api/guilds/${guildId}/roles`)).info).toBe("guild.notfound");
	});
});
