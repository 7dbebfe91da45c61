// Row builders for tests: each inserts one valid row (unique names by default) and returns it; override any column.
import type { Executor } from "../../src/db/client.js";
import {
	characters,
	gameAccounts,
	guildMembers,
	guildRoles,
	guilds,
	teamMembers,
	teams,
	users,
} from "../../src/db/schema/index.js";

let sequence = 0;
const next = () => ++sequence;

/** Not a real hash: suites that log users in hash their own passwords (scrypt is slow on purpose). */
export const placeholderPasswordHash =
	"scrypt$2$1$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";

/** Reference rows every test database has (see src/db/seed/data). */
export const reference = {
	class: { iop: 8, cra: 9, eniripsa: 7 },
	server: { dakal: 1, draconiros: 2 },
	dungeon: { kardorim: 1 },
} as const;

export async function createUser(db: Executor, values: Partial<typeof users.$inferInsert> = {}) {
	const n = next();
	const [row] = await db
		.insert(users)
		.values({
			email: `user${n}@example.test`,
			passwordHash: placeholderPasswordHash,
			displayName: `User ${n}`,
			...values,
		})
		.returning();
	return required(row);
}

export async function createGameAccount(
	db: Executor,
	userId: number,
	values: Partial<typeof gameAccounts.$inferInsert> = {},
) {
	const [row] = await db
		.insert(gameAccounts)
		.values({ userId, name: `account-${next()}`, ...values })
		.returning();
	return required(row);
}

export async function createCharacter(
	db: Executor,
	accountId: number,
	values: Partial<typeof characters.$inferInsert> = {},
) {
	const [row] = await db
		.insert(characters)
		.values({
			accountId,
			name: `Perso-${next()}`,
			level: 100,
			classId: reference.class.iop,
			serverId: reference.server.draconiros,
			...values,
		})
		.returning();
	return required(row);
}

/** A team owned by `ownerUserId` on Draconiros unless overridden (pass `ownerUserId: null, guildId` for a guild team). */
export async function createTeam(
	db: Executor,
	ownerUserId: number | null,
	values: Partial<typeof teams.$inferInsert> = {},
) {
	const [row] = await db
		.insert(teams)
		.values({ name: `Team ${next()}`, ownerUserId, serverId: reference.server.draconiros, ...values })
		.returning();
	return required(row);
}

export async function addTeamMember(db: Executor, teamId: number, characterId: number) {
	const [row] = await db.insert(teamMembers).values({ teamId, characterId }).returning();
	return required(row);
}

/** A guild with one system role ("Meneur", every permission) held by its creator. */
export async function createGuild(db: Executor, creatorId: number, values: Partial<typeof guilds.$inferInsert> = {}) {
	const n = next();
	const [guild] = await db
		.insert(guilds)
		.values({ name: `Guilde ${n}`, slug: `guilde-${n}`, createdBy: creatorId, ...values })
		.returning();
	const created = required(guild);
	const [role] = await db
		.insert(guildRoles)
		.values({ guildId: created.id, name: "Meneur", permissions: ["*"], isSystem: true })
		.returning();
	const leader = required(role);
	await db.insert(guildMembers).values({ guildId: created.id, userId: creatorId, roleId: leader.id });
	return { guild: created, leaderRole: leader };
}

function required<T>(row: T | undefined): T {
	if (row === undefined) throw new Error("insert returned no row");
	return row;
}
