// The `platformAdmin` process: lets through the users whose email is in ADMIN_EMAILS, and nobody else.
import { createProcess, FrameworkInfo, refusal } from "../core/index.js";
import type { IdentityServices } from "../services/identity.js";
import { isPlatformAdmin } from "../services/settings.js";
import type { Authenticated } from "./authenticated.js";

/**
 * What a signed-in user who is not an administrator gets: the router's own answer to an unknown path (same info,
 * same message), so that admin routes do not reveal that they exist.
 */
export const notAPlatformAdmin = refusal(404, FrameworkInfo.notFound, "No route for this path.");

/** Runs `authenticated` itself (once per request), then refuses anyone who is not a platform administrator. */
export function createPlatformAdmin({ settings }: Pick<IdentityServices, "settings">, authenticated: Authenticated) {
	return createProcess("platformAdmin")
		.oncePerRequest()
		.process(authenticated, { pickup: ["user"] })
		.cut(
			({ pickup }, response, request) => {
				if (!isPlatformAdmin(settings, pickup("user").email)) {
					notAPlatformAdmin.send(response, `No route for ${request.method} ${request.path}.`);
				}
			},
			[],
			notAPlatformAdmin,
		)
		.build([]);
}

export type PlatformAdmin = ReturnType<typeof createPlatformAdmin>;
