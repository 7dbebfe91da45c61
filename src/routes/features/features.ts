// GET /api/features: the caller's effective feature flags, for the guild of the host when the caller is its member.
import type { App } from "../../core/index.js";
import { credentialSent } from "../../processes/credential-sent.js";
import type { FeatureFlagService } from "../../services/feature-flags.js";
import { requestTenant } from "../../tenancy/request-tenant.js";
import type { IdentityRouteDependencies } from "../guards.js";
import { featureAnswers } from "./answers.js";

export function declareFeatureRoutes(
	app: App,
	{ services, guards }: Pick<IdentityRouteDependencies, "services" | "guards">,
	flags: Pick<FeatureFlagService, "effective">,
): void {
	const { guilds } = services;
	const { authenticated } = guards;

	// Anyone: anonymous callers, and signed-in ones outside the host's guild, get the global values (a guild's own
	// values are its members' business); a token that is sent must be valid.
	app
		.declareRoute("GET", "/api/features")
		.process(credentialSent, { pickup: ["credentialSent"] })
		.process(authenticated, { skip: (pickup) => !pickup("credentialSent"), pickup: ["user"] })
		.handler(async ({ pickup }, response, request) => {
			const host = requestTenant(request)?.guild;
			const user = pickup("user");
			const member =
				host !== undefined && user !== undefined && (await guilds.membership(host.id, user.id)) !== undefined;
			const guild = member ? { id: host.id, slug: host.slug } : null;
			return featureAnswers.list.respond(response, { guild, features: await flags.effective(guild?.id ?? null) });
		}, featureAnswers.list);
}
