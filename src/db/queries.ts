// Named prepared statements for the lookups nearly every request makes: the session, and the game account,
// character or team a route names.
import { eq, sql } from "drizzle-orm";
import type { Database } from "./client.js";
import { characters, gameAccounts, sessions, teams, users } from "./schema/index.js";

// On postgres.js a named `.prepare()` makes Drizzle ask the server to keep the plan per connection;
// unnamed queries are sent unprepared. With DATABASE_PREPARE=false (a pooler in transaction mode) postgres.js
// sends these unnamed too: its client option overrides the query's. PGlite accepts the same calls.
function prepareHotQueries(db: Database) {
	return {
		/** The gameAccountExist checker's lookup: the whole row (its userId says whose it is). */
		gameAccountById: db
			.select()
			.from(gameAccounts)
			.where(eq(gameAccounts.id, sql.placeholder("id")))
			.prepare("account_by_id"),

		/** The characterExist checker's lookup: the whole row and the user who owns it. */
		characterById: db
			.select({
				id: characters.id,
				accountId: characters.accountId,
				name: characters.name,
				level: characters.level,
				classId: characters.classId,
				serverId: characters.serverId,
				createdAt: characters.createdAt,
				updatedAt: characters.updatedAt,
				userId: gameAccounts.userId,
			})
			.from(characters)
			.innerJoin(gameAccounts, eq(gameAccounts.id, characters.accountId))
			.where(eq(characters.id, sql.placeholder("id")))
			.prepare("character_by_id"),

		/** The teamExist checker's lookup. */
		teamById: db
			.select()
			.from(teams)
			.where(eq(teams.id, sql.placeholder("id")))
			.prepare("team_by_id"),

		/** The `authenticated` process's lookup, made on every protected request: the session and its user. */
		sessionByAccessTokenHash: db
			.select({
				session: {
					id: sessions.id,
					userId: sessions.userId,
					accessExpiresAt: sessions.accessExpiresAt,
					createdAt: sessions.createdAt,
					lastSeenAt: sessions.lastSeenAt,
					revokedAt: sessions.revokedAt,
				},
				user: {
					id: users.id,
					email: users.email,
					displayName: users.displayName,
					locale: users.locale,
					totpEnabledAt: users.totpEnabledAt,
					createdAt: users.createdAt,
				},
			})
			.from(sessions)
			.innerJoin(users, eq(users.id, sessions.userId))
			.where(eq(sessions.accessTokenHash, sql.placeholder("hash")))
			.prepare("session_by_access_token_hash"),
	};
}

export type HotQueries = ReturnType<typeof prepareHotQueries>;

const cache = new WeakMap<Database, HotQueries>();

/** Prepared once per database handle; call as `hotQueries(db).gameAccountById.execute({ id })`. */
export function hotQueries(db: Database): HotQueries {
	let queries = cache.get(db);
	if (queries === undefined) {
		queries = prepareHotQueries(db);
		cache.set(db, queries);
	}
	return queries;
}
