// The rooms a user may follow (the resolver) and the audience of a character's changes, worked out from real rows.
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Database } from "../../src/db/index.js";
import { guildMembers, guildRoles } from "../../src/db/schema/index.js";
import { characterAudiences, createEventRoomResolver } from "../../src/services/event-rooms.js";
import { createGuildService } from "../../src/services/guilds.js";
import { permissions } from "../../src/services/permissions.js";
import { getTestDatabase, resetTestDatabase } from "../helpers/database.js";
import { addTeamMember, createCharacter, createGameAccount, createTeam, createUser } from "../helpers/fixtures.js";

let db: Database;

beforeAll(async () => {
	db = await getTestDatabase();
});

beforeEach(async () => {
	await resetTestDatabase(db);
});

/** A guild created by `ownerId` (owner and member system roles), as POST /api/guilds makes one. */
async function guildOwnedBy(ownerId: number) {
	const guilds = createGuildService(db);
	const guild = await guilds.create(ownerId, `Guild of ${ownerId}`);
	const roles = await guilds.roles(guild.id);
	const memberRole = roles.find((role) => role.kind === "member");
	if (memberRole === undefined) throw new Error("no member role");
	return { guildId: guild.id, memberRoleId: memberRole.id };
}

async function join(guildId: number, userId: number, roleId: number) {
	await db.insert(guildMembers).values({ guildId, userId, roleId });
}

async function customRole(guildId: number, rolePermissions: string[]) {
	const [role] = await db
		.insert(guildRoles)
		.values({ guildId, name: `Role ${rolePermissions.join("+")}`, permissions: rolePermissions })
		.returning();
	if (role === undefined) throw new Error("no role");
	return role.id;
}

describe("createEventRoomResolver", () => {
	it("gives a user with no guild and no team their own room and the reference room, each with its own key", async () => {
		const user = await createUser(db);
		const visible = await createEventRoomResolver(db)(user.id);
		expect(Object.fromEntries(visible)).toEqual({ [`user:${user.id}`]: [`user:${user.id}`], reference: ["reference"] });
	});

	it("gives a guild's owner the guild room with a key for every permission", async () => {
		const owner = await createUser(db);
		const { guildId } = await guildOwnedBy(owner.id);
		const visible = await createEventRoomResolver(db)(owner.id);
		expect(visible.get(`guild:${guildId}`)).toEqual([
			`guild:${guildId}`,
			...permissions.map((right) => `guild:${guildId}#${right}`),
		]);
	});

	it("gives a member the keys of the rights their role grants, and no others", async () => {
		const owner = await createUser(db);
		const member = await createUser(db);
		const { guildId } = await guildOwnedBy(owner.id);
		await join(guildId, member.id, await customRole(guildId, ["team.manage", "progression.edit"]));
		const visible = await createEventRoomResolver(db)(member.id);
		expect(visible.get(`guild:${guildId}`)).toEqual([
			`guild:${guildId}`,
			`guild:${guildId}#team.manage`,
			`guild:${guildId}#progression.edit`,
		]);
	});

	it("gives a member whose role grants nothing the guild room alone", async () => {
		const owner = await createUser(db);
		const member = await createUser(db);
		const { guildId } = await guildOwnedBy(owner.id);
		await join(guildId, member.id, await customRole(guildId, []));
		const visible = await createEventRoomResolver(db)(member.id);
		expect(visible.get(`guild:${guildId}`)).toEqual([`guild:${guildId}`]);
	});

	it("gives the guild's member role its default character.view key", async () => {
		const owner = await createUser(db);
		const member = await createUser(db);
		const { guildId, memberRoleId } = await guildOwnedBy(owner.id);
		await join(guildId, member.id, memberRoleId);
		const visible = await createEventRoomResolver(db)(member.id);
		expect(visible.get(`guild:${guildId}`)).toEqual([`guild:${guildId}`, `guild:${guildId}#character.view`]);
	});

	it("leaves out the guilds the user is not a member of", async () => {
		const owner = await createUser(db);
		const stranger = await createUser(db);
		const { guildId } = await guildOwnedBy(owner.id);
		const visible = await createEventRoomResolver(db)(stranger.id);
		expect(visible.has(`guild:${guildId}`)).toBe(false);
	});

	it("gives the user's personal teams and every team of their guilds, not other users' or guilds' teams", async () => {
		const owner = await createUser(db);
		const member = await createUser(db);
		const stranger = await createUser(db);
		const { guildId, memberRoleId } = await guildOwnedBy(owner.id);
		await join(guildId, member.id, memberRoleId);
		const otherGuild = await guildOwnedBy(stranger.id);
		const personal = await createTeam(db, member.id);
		const guildTeam = await createTeam(db, null, { guildId });
		await createTeam(db, stranger.id);
		await createTeam(db, null, { guildId: otherGuild.guildId });

		const visible = await createEventRoomResolver(db)(member.id);
		const teamRooms = [...visible.keys()].filter((room) => room.startsWith("team:"));
		expect(teamRooms.sort()).toEqual([`team:${personal.id}`, `team:${guildTeam.id}`].sort());
		expect(visible.get(`team:${guildTeam.id}`)).toEqual([`team:${guildTeam.id}`]);
	});
});

describe("characterAudiences", () => {
	it("names the owner, the character.view audience of each of the owner's guilds and every team holding it", async () => {
		const owner = await createUser(db);
		const first = await guildOwnedBy(owner.id);
		const second = await guildOwnedBy(owner.id);
		const account = await createGameAccount(db, owner.id);
		const character = await createCharacter(db, account.id);
		const team = await createTeam(db, owner.id);
		await addTeamMember(db, team.id, character.id);

		const audienceOf = await characterAudiences(db, owner.id, [character.id]);
		expect(audienceOf(character.id)).toEqual([
			`user:${owner.id}`,
			`guild:${first.guildId}#character.view`,
			`guild:${second.guildId}#character.view`,
			`team:${team.id}`,
		]);
	});

	it("names only its owner for a character of a user in no guild and no team", async () => {
		const owner = await createUser(db);
		const character = await createCharacter(db, (await createGameAccount(db, owner.id)).id);
		expect((await characterAudiences(db, owner.id, [character.id]))(character.id)).toEqual([`user:${owner.id}`]);
	});

	it("keeps each character's teams apart", async () => {
		const owner = await createUser(db);
		const account = await createGameAccount(db, owner.id);
		const inTeam = await createCharacter(db, account.id);
		const alone = await createCharacter(db, account.id);
		const team = await createTeam(db, owner.id);
		await addTeamMember(db, team.id, inTeam.id);

		const audienceOf = await characterAudiences(db, owner.id, [inTeam.id, alone.id]);
		expect(audienceOf(inTeam.id)).toEqual([`user:${owner.id}`, `team:${team.id}`]);
		expect(audienceOf(alone.id)).toEqual([`user:${owner.id}`]);
	});

	it("leaves out the guilds of other users and the teams of characters it was not asked about", async () => {
		const owner = await createUser(db);
		const other = await createUser(db);
		await guildOwnedBy(other.id);
		const account = await createGameAccount(db, owner.id);
		const asked = await createCharacter(db, account.id);
		const notAsked = await createCharacter(db, account.id);
		const team = await createTeam(db, owner.id);
		await addTeamMember(db, team.id, notAsked.id);

		expect((await characterAudiences(db, owner.id, [asked.id]))(asked.id)).toEqual([`user:${owner.id}`]);
	});
});
