// The guards every resource shares (`authenticated`, `authenticatedRoute`, `userHasRight`, `userExist`), built once
// per app, and what route files receive. Each resource's own checkers and presets live in its folder's guards.ts;
// routes/index.ts builds them all and hands them out.
import { createUserExist } from "../checkers/user-exist.js";
import type { App } from "../core/index.js";
import type { Database } from "../db/index.js";
import { createAuthenticated } from "../processes/authenticated.js";
import { createUserHasRight } from "../processes/user-has-right.js";
import type { DomainServices } from "../services/domain.js";
import type { IdentityServices } from "../services/identity.js";
import type { GameAccountGuards } from "./accounts/guards.js";
import type { CharacterGuards } from "./characters/guards.js";
import type { GuildGuards } from "./guilds/guards.js";
import type { InvitationGuards } from "./invitations/guards.js";
import type { ReferenceGuards } from "./reference/guards.js";
import type { TeamGuards } from "./teams/guards.js";

export function createSharedGuards(app: App, db: Database, services: IdentityServices) {
	const authenticated = createAuthenticated(services);
	return {
		authenticated,
		/**
		 * Where protected routes are declared from: it runs `authenticated` before the route's own extract,
		 * so an anonymous caller gets its 401 before any validation, and its body is never read.
		 */
		authenticatedRoute: app
			.declareAbstractRoute("authenticatedRoute")
			.process(authenticated, { pickup: ["user", "session"] })
			.build(["user", "session"]),
		userHasRight: createUserHasRight(services, authenticated),
		/** Register's "email taken" check and the member routes' target, each with its own catch. */
		userExist: createUserExist(db),
	};
}

export type SharedGuards = ReturnType<typeof createSharedGuards>;

/** The guards of the identity routes: the shared ones, the guilds' and roles', the invitations'. */
export type IdentityGuards = SharedGuards & GuildGuards & InvitationGuards;

/** Every guard: the identity ones, and those of game accounts, characters, teams and reference data. */
export type DomainGuards = IdentityGuards & GameAccountGuards & CharacterGuards & TeamGuards & ReferenceGuards;

/** What an identity route file receives: the database, the services, and the guards. */
export interface IdentityRouteDependencies {
	db: Database;
	services: IdentityServices;
	guards: IdentityGuards;
}

/** What a player-facing route file receives: the domain services, the identity ones, and every guard. */
export interface DomainRouteDependencies {
	db: Database;
	services: DomainServices;
	identity: IdentityServices;
	guards: DomainGuards;
}
