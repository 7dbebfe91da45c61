// The checkers of the player-facing routes (accounts, characters, teams, progressions), built once per app, their presets
// (how routes use them: expected result, refusal, floor key, contracts), and what their route files receive.

import { createCharacterAccess } from "../checkers/character-access.js";
import { createCharacterExist } from "../checkers/character-exist.js";
import { createClassExist } from "../checkers/class-exist.js";
import { createDungeonExist } from "../checkers/dungeon-exist.js";
import { createGameAccountExist } from "../checkers/game-account-exist.js";
import { createGameAccountOwned } from "../checkers/game-account-owned.js";
import { createServerExist } from "../checkers/server-exist.js";
import { createTeamAccess } from "../checkers/team-access.js";
import { createTeamExist } from "../checkers/team-exist.js";
import { createPresetChecker, type Response, refusal } from "../core/index.js";
import type { Database } from "../db/index.js";
import type { DomainServices } from "../services/domain.js";
import type { IdentityServices } from "../services/identity.js";
import type { Guards } from "./guards.js";

// Someone else's account, character or team answers exactly like a missing one: ids cannot be probed.
export const gameAccountNotFound = refusal(404, "account.notfound", "No such game account.");
export const characterNotFound = refusal(404, "character.notfound", "No such character.");
export const teamNotFound = refusal(404, "team.notfound", "No such team.");
export const classNotFound = refusal(404, "class.notfound", "No such class.");
export const serverNotFound = refusal(404, "server.notfound", "No such server.");
export const dungeonNotFound = refusal(404, "dungeon.notfound", "No such dungeon.");
export const teamRightMissing = refusal(403, "right.missing", "Your role in this guild does not grant team.manage.");

/** A guild member without team.manage may read the team, so a 403 tells them nothing new; anyone else gets the 404. */
function refuseTeam(response: Response<typeof teamNotFound | typeof teamRightMissing>, info: string): never {
	if (info === "team.readonly") teamRightMissing.send(response);
	return teamNotFound.send(response);
}

export function createDomainGuards(db: Database, services: DomainServices) {
	const gameAccountExist = createGameAccountExist(services.gameAccounts);
	const gameAccountOwned = createGameAccountOwned();
	const characterExist = createCharacterExist(services.characters);
	const characterAccess = createCharacterAccess(services.characters);
	const teamExist = createTeamExist(services.teams);
	const teamAccess = createTeamAccess(services.teams);
	const classExist = createClassExist(db);
	const serverExist = createServerExist(db);
	const dungeonExist = createDungeonExist(db);
	return {
		gameAccountExist,
		gameAccountOwned,
		characterExist,
		characterAccess,
		teamExist,
		teamAccess,
		classExist,
		serverExist,
		dungeonExist,

		/** Drops `account`. */
		gameAccountFound: createPresetChecker(gameAccountExist, {
			result: "account.exist",
			indexing: "account",
			catch: gameAccountNotFound,
		}),
		gameAccountMine: createPresetChecker(gameAccountOwned, { result: "account.owned", catch: gameAccountNotFound }),
		/** Drops `character` (with its owner's userId). */
		characterFound: createPresetChecker(characterExist, {
			result: "character.exist",
			indexing: "character",
			catch: characterNotFound,
		}),
		/** The owner, or a guild fellow whose role grants character.view. */
		characterReadable: createPresetChecker(characterAccess, {
			result: ["character.owned", "character.visible"],
			options: { use: "read" },
			catch: characterNotFound,
		}),
		/** The owner only. */
		characterWritable: createPresetChecker(characterAccess, {
			result: "character.owned",
			options: { use: "write" },
			catch: characterNotFound,
		}),
		/** Drops `team`. */
		teamFound: createPresetChecker(teamExist, { result: "team.exist", indexing: "team", catch: teamNotFound }),
		teamReadable: createPresetChecker(
			teamAccess,
			// Whoever may not read the team does not learn it exists.
			{ result: "team.readable", options: { use: "read" }, catch: teamNotFound },
		),
		teamManageable: createPresetChecker(
			teamAccess,
			{ result: "team.editable", options: { use: "manage" }, catch: refuseTeam },
			teamNotFound,
			teamRightMissing,
		),
		classFound: createPresetChecker(classExist, { result: "class.exist", catch: classNotFound }),
		serverFound: createPresetChecker(serverExist, { result: "server.exist", catch: serverNotFound }),
	};
}

export type DomainGuards = ReturnType<typeof createDomainGuards>;

/** What a player-facing route file receives: the domain services, the identity ones, and every guard. */
export interface DomainRouteDependencies {
	db: Database;
	services: DomainServices;
	identity: IdentityServices;
	guards: Guards & DomainGuards;
}
