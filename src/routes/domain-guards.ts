// The checkers of the player-facing routes (accounts, characters, teams, progressions), built once per app, and what their route files receive.
import { createAccountExist } from "../checkers/account-exist.js";
import { createAccountOwned } from "../checkers/account-owned.js";
import { createCharacterExist } from "../checkers/character-exist.js";
import { createCharacterOwned } from "../checkers/character-owned.js";
import { createClassExist } from "../checkers/class-exist.js";
import { createDungeonExist } from "../checkers/dungeon-exist.js";
import { createServerExist } from "../checkers/server-exist.js";
import { createTeamEditable } from "../checkers/team-editable.js";
import { createTeamExist } from "../checkers/team-exist.js";
import type { Database } from "../db/index.js";
import type { DomainServices } from "../services/domain.js";
import type { IdentityServices } from "../services/identity.js";
import type { Guards } from "./guards.js";

export function createDomainGuards(db: Database, services: DomainServices) {
	return {
		accountExist: createAccountExist(services.accounts),
		accountOwned: createAccountOwned(),
		characterExist: createCharacterExist(services.characters),
		characterOwned: createCharacterOwned(services.characters),
		teamExist: createTeamExist(services.teams),
		teamEditable: createTeamEditable(services.teams),
		classExist: createClassExist(db),
		serverExist: createServerExist(db),
		dungeonExist: createDungeonExist(db),
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
