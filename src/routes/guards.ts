// The processes and checkers of one app, built once from its services and handed to every route file.

import { createGuildExist } from "../checkers/guild-exist.js";
import { createInvitationValid } from "../checkers/invitation-valid.js";
import { createRoleExist } from "../checkers/role-exist.js";
import { createUserExist } from "../checkers/user-exist.js";
import { type App, createPresetChecker } from "../core/index.js";
import type { Database } from "../db/index.js";
import { createAuthenticated } from "../processes/authenticated.js";
import { createUserHasRight } from "../processes/user-has-right.js";
import type { IdentityServices } from "../services/identity.js";
import { roleAnswers } from "./guilds/answers.js";

export function createGuards(app: App, db: Database, services: IdentityServices) {
	const authenticated = createAuthenticated(services);
	const roleExist = createRoleExist(services.guilds);
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
		userExist: createUserExist(db),
		guildExist: createGuildExist(services.guilds),
		roleExist,
		/** A role of the route's guild, dropped as `role`; a role of another guild is as unknown as a missing one. */
		roleFound: createPresetChecker(roleExist, { result: "role.exist", indexing: "role", catch: roleAnswers.notFound }),
		invitationValid: createInvitationValid(services.invitations),
	};
}

export type Guards = ReturnType<typeof createGuards>;

/** What an identity route file receives: the database, the services, and the guards. */
export interface IdentityRouteDependencies {
	db: Database;
	services: IdentityServices;
	guards: Guards;
}
