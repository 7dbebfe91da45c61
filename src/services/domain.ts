// Builds the player-facing services once per app (game accounts, characters, teams, progressions) on one database.
import type { Database } from "../db/index.js";
import { createCharacterService } from "./characters.js";
import { createGameAccountService } from "./game-accounts.js";
import type { GuildService } from "./guilds.js";
import { createProgressionService } from "./progressions.js";
import { createTeamService } from "./teams.js";
import type { UserCache } from "./user-cache.js";

/** `userCache`: the per-user cache of their hot reads, which their writes tell at once (others hear by NOTIFY). */
export function createDomainServices(db: Database, guilds: GuildService, userCache: UserCache) {
	return {
		gameAccounts: createGameAccountService(db, userCache),
		characters: createCharacterService(db, userCache),
		teams: createTeamService(db, guilds, userCache),
		userCache,
		progressions: createProgressionService(db),
	};
}

export type DomainServices = ReturnType<typeof createDomainServices>;
