// The processes and checkers of one app, built once from its services and handed to every route file.
import type { Database } from "../db/index.js";
import { createGuildExist } from "../checkers/guild-exist.js";
import { createInvitationValid } from "../checkers/invitation-valid.js";
import { createRoleExist } from "../checkers/role-exist.js";
import { createUserExist } from "../checkers/user-exist.js";
import { createAuthenticated } from "../processes/authenticated.js";
import { createUserHasRight } from "../processes/user-has-right.js";
import type { IdentityServices } from "../services/identity.js";

export function createGuards(db: Database, services: IdentityServices) {
	const authenticated = createAuthenticated(services);
	return {
		authenticated,
		userHasRight: createUserHasRight(services, authenticated),
		userExist: createUserExist(db),
		guildExist: createGuildExist(services.guilds),
		roleExist: createRoleExist(services.guilds),
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
