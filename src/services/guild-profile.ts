// What a guild's host shows: the guild's public profile and its members' characters (the tenant-scoped reads).
import { asc, count, eq, sql } from "drizzle-orm";
import type { Database } from "../db/index.js";
import { characters, gameAccounts, guildMembers, guilds, users } from "../db/schema/index.js";

export function createGuildProfileService(db: Database) {
	return {
		/** What anyone may read of a guild at its host (GET /api/guild): no member is named. */
		async profile(guildId: number) {
			const [profile] = await db
				.select({
					id: guilds.id,
					slug: guilds.slug,
					name: guilds.name,
					createdAt: guilds.createdAt,
					memberCount: sql<number>`(select count(*)::int from ${guildMembers} where ${guildMembers.guildId} = ${guilds.id})`,
				})
				.from(guilds)
				.where(eq(guilds.id, guildId));
			return profile;
		},

		/** A page of the guild's members' characters, by name then id, with each owner's display name and the total. */
		async memberCharacters(guildId: number, { page, limit }: { page: number; limit: number }) {
			const rows = await db
				.select({
					id: characters.id,
					name: characters.name,
					level: characters.level,
					classId: characters.classId,
					serverId: characters.serverId,
					owner: { userId: users.id, displayName: users.displayName },
					total: sql<number>`count(*) over ()`.mapWith(Number),
				})
				.from(guildMembers)
				.innerJoin(users, eq(users.id, guildMembers.userId))
				.innerJoin(gameAccounts, eq(gameAccounts.userId, guildMembers.userId))
				.innerJoin(characters, eq(characters.accountId, gameAccounts.id))
				.where(eq(guildMembers.guildId, guildId))
				.orderBy(asc(sql`lower(${characters.name})`), asc(characters.id))
				.limit(limit)
				.offset((page - 1) * limit);
			if (rows.length > 0 || page === 1)
				return { characters: rows.map(({ total: _total, ...character }) => character), total: rows[0]?.total ?? 0 };
			// A page past the end carries no row, hence no window count.
			const [counted] = await db
				.select({ total: count() })
				.from(guildMembers)
				.innerJoin(gameAccounts, eq(gameAccounts.userId, guildMembers.userId))
				.innerJoin(characters, eq(characters.accountId, gameAccounts.id))
				.where(eq(guildMembers.guildId, guildId));
			return { characters: [], total: counted?.total ?? 0 };
		},
	};
}

export type GuildProfileService = ReturnType<typeof createGuildProfileService>;
