// Each constraint of the schema rejects bad rows on the tested engine, and the error mapping names it.
import { eq, sql } from "drizzle-orm";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Database } from "../../src/db/client.js";
import {
	characters,
	classes,
	gameAccounts,
	guildMembers,
	guildRoles,
	guilds,
	progressions,
	teamMembers,
	teams,
	users,
} from "../../src/db/schema/index.js";
import { getTestDatabase, resetTestDatabase } from "../helpers/database.js";
import { databaseErrorOf } from "../helpers/database-errors.js";
import {
	addTeamMember,
	createCharacter,
	createGameAccount,
	createGuild,
	createTeam,
	createUser,
	reference,
} from "../helpers/fixtures.js";

let db: Database;
beforeAll(async () => {
	db = await getTestDatabase();
});
beforeEach(() => resetTestDatabase(db));

describe("users", () => {
	it("rejects a second account with the same email → 409 user.email_taken", async () => {
		await createUser(db, { email: "ana@example.test" });
		expect(await databaseErrorOf(createUser(db, { email: "ana@example.test" }))).toMatchObject({
			status: 409,
			info: "user.email_taken",
			constraint: "users_email_unique",
		});
	});

	it("rejects an email that is not lowercased → 400 user.email_invalid", async () => {
		expect(await databaseErrorOf(createUser(db, { email: "Ana@Example.test" }))).toMatchObject({
			status: 400,
			info: "user.email_invalid",
		});
	});
});

describe("game_accounts", () => {
	it("rejects a name the user already uses, whatever the case → 409 account.name_taken", async () => {
		const user = await createUser(db);
		await createGameAccount(db, user.id, { name: "Main" });
		expect(await databaseErrorOf(createGameAccount(db, user.id, { name: "main" }))).toMatchObject({
			status: 409,
			info: "account.name_taken",
		});
	});

	it("lets two users use the same account name", async () => {
		await createGameAccount(db, (await createUser(db)).id, { name: "Main" });
		await expect(createGameAccount(db, (await createUser(db)).id, { name: "Main" })).resolves.toBeDefined();
	});

	it("rejects an unknown user → 404 user.notfound", async () => {
		expect(await databaseErrorOf(createGameAccount(db, 999))).toMatchObject({ status: 404, info: "user.notfound" });
	});
});

describe("characters", () => {
	let accountId: number;
	beforeEach(async () => {
		accountId = (await createGameAccount(db, (await createUser(db)).id)).id;
	});

	it("rejects a name taken on the same server, whatever the case → 409 character.name_taken", async () => {
		await createCharacter(db, accountId, { name: "Bob" });
		expect(await databaseErrorOf(createCharacter(db, accountId, { name: "BOB" }))).toMatchObject({
			status: 409,
			info: "character.name_taken",
			constraint: "characters_server_name_unique",
		});
	});

	it("allows the same name on another server", async () => {
		await createCharacter(db, accountId, { name: "Bob", serverId: reference.server.draconiros });
		await expect(
			createCharacter(db, accountId, { name: "Bob", serverId: reference.server.dakal }),
		).resolves.toBeDefined();
	});

	it.each([0, 201, -5])("rejects level %i → 400 character.level_invalid", async (level) => {
		expect(await databaseErrorOf(createCharacter(db, accountId, { level }))).toMatchObject({
			status: 400,
			info: "character.level_invalid",
			constraint: "characters_level_range",
		});
	});

	it.each([1, 200])("accepts level %i", async (level) => {
		await expect(createCharacter(db, accountId, { level })).resolves.toMatchObject({ level });
	});

	it("rejects an unknown class → 404 class.notfound", async () => {
		expect(await databaseErrorOf(createCharacter(db, accountId, { classId: 99 }))).toMatchObject({
			status: 404,
			info: "class.notfound",
		});
	});

	it("rejects an unknown server → 404 server.notfound", async () => {
		expect(await databaseErrorOf(createCharacter(db, accountId, { serverId: 99 }))).toMatchObject({
			status: 404,
			info: "server.notfound",
		});
	});

	it("rejects an unknown account → 404 account.notfound", async () => {
		expect(await databaseErrorOf(createCharacter(db, 999))).toMatchObject({ status: 404, info: "account.notfound" });
	});

	it("keeps a class in use from being deleted → 409 class.in_use", async () => {
		await createCharacter(db, accountId, { classId: reference.class.cra });
		const deletion = db.delete(classes).where(eq(classes.id, reference.class.cra));
		expect(await databaseErrorOf(deletion)).toMatchObject({ status: 409, info: "class.in_use" });
	});

	it("rejects a missing name → 400 required.name", async () => {
		const insert = db.insert(characters).values({
			accountId,
			name: null as unknown as string,
			classId: reference.class.iop,
			serverId: reference.server.dakal,
		});
		expect(await databaseErrorOf(insert)).toMatchObject({ status: 400, info: "required.name" });
	});

	it("rejects an id past the integer range → 400 value.out_of_range", async () => {
		const lookup = db
			.select()
			.from(characters)
			.where(eq(characters.id, 2 ** 40));
		expect(await databaseErrorOf(lookup)).toMatchObject({ status: 400, info: "value.out_of_range" });
	});
});

describe("teams", () => {
	it("must have exactly one owner, a user or a guild → 400 team.owner_invalid", async () => {
		const user = await createUser(db);
		const { guild } = await createGuild(db, user.id);
		const both = createTeam(db, user.id, { guildId: guild.id });
		const neither = createTeam(db, null);
		expect(await databaseErrorOf(both)).toMatchObject({ status: 400, info: "team.owner_invalid" });
		expect(await databaseErrorOf(neither)).toMatchObject({ status: 400, info: "team.owner_invalid" });
		await expect(createTeam(db, null, { guildId: guild.id })).resolves.toBeDefined();
	});

	it("rejects a second team with the same name for the same owner → 409 team.name_taken", async () => {
		const user = await createUser(db);
		await createTeam(db, user.id, { name: "Dungeon crew" });
		expect(await databaseErrorOf(createTeam(db, user.id, { name: "dungeon CREW" }))).toMatchObject({
			status: 409,
			info: "team.name_taken",
		});
		await expect(createTeam(db, (await createUser(db)).id, { name: "Dungeon crew" })).resolves.toBeDefined();
	});

	it("rejects a character added twice → 409 team.already_member", async () => {
		const user = await createUser(db);
		const character = await createCharacter(db, (await createGameAccount(db, user.id)).id);
		const team = await createTeam(db, user.id);
		await addTeamMember(db, team.id, character.id);
		expect(await databaseErrorOf(addTeamMember(db, team.id, character.id))).toMatchObject({
			status: 409,
			info: "team.already_member",
		});
	});

	it("rejects an unknown character → 404 character.notfound", async () => {
		const team = await createTeam(db, (await createUser(db)).id);
		expect(await databaseErrorOf(addTeamMember(db, team.id, 999))).toMatchObject({
			status: 404,
			info: "character.notfound",
		});
	});
});

describe("guilds", () => {
	it("rejects a member whose role belongs to another guild → 404 role.notfound", async () => {
		const leader = await createUser(db);
		const other = await createGuild(db, await createUser(db).then((user) => user.id));
		const { guild } = await createGuild(db, leader.id);
		const member = await createUser(db);
		const insert = db
			.insert(guildMembers)
			.values({ guildId: guild.id, userId: member.id, roleId: other.leaderRole.id });
		expect(await databaseErrorOf(insert)).toMatchObject({ status: 404, info: "role.notfound" });
	});

	it("keeps a role held by a member from being deleted → 409 role.in_use", async () => {
		const { leaderRole } = await createGuild(db, (await createUser(db)).id);
		const deletion = db.delete(guildRoles).where(eq(guildRoles.id, leaderRole.id));
		expect(await databaseErrorOf(deletion)).toMatchObject({ status: 409, info: "role.in_use" });
	});

	it("rejects a duplicate role name in a guild → 409 role.name_taken", async () => {
		const { guild } = await createGuild(db, (await createUser(db)).id);
		const insert = db.insert(guildRoles).values({ guildId: guild.id, name: "meneur" });
		expect(await databaseErrorOf(insert)).toMatchObject({ status: 409, info: "role.name_taken" });
	});

	it("rejects a user joining twice → 409 guild.already_member", async () => {
		const leader = await createUser(db);
		const { guild, leaderRole } = await createGuild(db, leader.id);
		const insert = db.insert(guildMembers).values({ guildId: guild.id, userId: leader.id, roleId: leaderRole.id });
		expect(await databaseErrorOf(insert)).toMatchObject({ status: 409, info: "guild.already_member" });
	});

	it("deletes its roles, members and teams with it", async () => {
		const leader = await createUser(db);
		const { guild } = await createGuild(db, leader.id);
		await createTeam(db, null, { guildId: guild.id });
		await db.delete(guilds).where(eq(guilds.id, guild.id));
		expect([await db.$count(guildRoles), await db.$count(guildMembers), await db.$count(teams)]).toEqual([0, 0, 0]);
		expect(await db.$count(users)).toBe(1);
	});
});

describe("progressions", () => {
	let characterId: number;
	beforeEach(async () => {
		characterId = (await createCharacter(db, (await createGameAccount(db, (await createUser(db)).id)).id)).id;
	});

	it("rejects a second row for the same character, kind and reference → 409 progression.exists", async () => {
		await db.insert(progressions).values({ characterId, kind: "dungeon", refId: 1 });
		const again = db.insert(progressions).values({ characterId, kind: "dungeon", refId: 1, status: "done" });
		expect(await databaseErrorOf(again)).toMatchObject({ status: 409, info: "progression.exists" });
	});

	it("rejects an unknown kind or status → 400", async () => {
		const kind = db.insert(progressions).values({ characterId, kind: "raid" as "quest", refId: 1 });
		const status = db.insert(progressions).values({ characterId, kind: "quest", refId: 1, status: "maybe" as "todo" });
		expect(await databaseErrorOf(kind)).toMatchObject({ status: 400, info: "progression.kind_invalid" });
		expect(await databaseErrorOf(status)).toMatchObject({ status: 400, info: "progression.status_invalid" });
	});
});

describe("deleting a user", () => {
	it("cascades to accounts, characters, progressions, teams and memberships, and keeps guilds", async () => {
		const user = await createUser(db);
		const character = await createCharacter(db, (await createGameAccount(db, user.id)).id);
		await db.insert(progressions).values({ characterId: character.id, kind: "quest", refId: 3 });
		await addTeamMember(db, (await createTeam(db, user.id)).id, character.id);
		const { guild } = await createGuild(db, user.id);

		await db.delete(users).where(eq(users.id, user.id));

		const counts = await Promise.all(
			[gameAccounts, characters, progressions, teams, teamMembers, guildMembers].map((table) => db.$count(table)),
		);
		expect(counts).toEqual([0, 0, 0, 0, 0, 0]);
		const [kept] = await db.select().from(guilds).where(eq(guilds.id, guild.id));
		expect(kept?.createdBy).toBeNull();
	});
});

describe("text the database cannot store", () => {
	it("refuses a NUL in text with 22021, mapped to 400 value.text_invalid", async () => {
		expect(
			await databaseErrorOf(
				db.execute(
					sql`insert into users (email, password_hash, display_name) values (${"nul@example.test"}, ${"x"}, ${"a\u0000b"})`,
				),
			),
		).toMatchObject({
			status: 400,
			info: "value.text_invalid",
		});
	});

	it("refuses a \\u0000 escape in jsonb with 22P05, mapped to 400 value.text_invalid", async () => {
		expect(await databaseErrorOf(db.execute(sql`select ${'{"name":"a\\u0000b"}'}::jsonb`))).toMatchObject({
			status: 400,
			info: "value.text_invalid",
		});
	});
});
