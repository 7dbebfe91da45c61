// Builds the player-facing services once per app (game accounts, characters, teams, progressions) on one database.
import type { Database } from "../db/index.js";
import { createCharacterService } from "./characters.js";
import { createGameAccountService } from "./game-accounts.js";
import type { GuildService } from "./guilds.js";
import { createProgressionService } from "./progressions.js";
import { createTeamService } from "./teams.js";

export function createDomainServices(db: Database, guilds: GuildService) {
	return {
		gameAccounts: createGameAccountService(db),
		characters: createCharacterService(db),
		teams: createTeamService(db, guilds),
		progressions: createProgressionService(db),
	};
}

export type DomainServices = ReturnType<typeof createDomainServices>;
