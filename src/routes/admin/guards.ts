// The platform-admin guards, built once per app: the `platformAdmin` process and the abstract route admin routes are
// declared from; and what the job and admin route files receive.
import { createPlatformAdmin } from "../../processes/platform-admin.js";
import type { IdentityServices } from "../../services/identity.js";
import type { SharedGuards } from "../guards.js";
import type { JobGuards } from "../jobs/guards.js";

export function createAdminGuards(
	services: Pick<IdentityServices, "settings">,
	{ authenticated, authenticatedRoute }: Pick<SharedGuards, "authenticated" | "authenticatedRoute">,
) {
	const platformAdmin = createPlatformAdmin(services, authenticated);
	return {
		platformAdmin,
		/** Where admin routes are declared from: 401 to anonymous callers, then 404 to anyone who is not an admin. */
		platformAdminRoute: authenticatedRoute
			.declareAbstractRoute("platformAdminRoute")
			.process(platformAdmin, {})
			.build(["user", "session"]),
	};
}

export type AdminGuards = ReturnType<typeof createAdminGuards>;

/** What the job and admin route files receive: the identity services (the job queue among them) and their guards. */
export interface PlatformRouteDependencies {
	services: IdentityServices;
	guards: SharedGuards & AdminGuards & JobGuards;
}
