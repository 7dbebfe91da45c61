// Platform-admin routes for feature flags: the list, a flag's global value, and a guild's own value of it.
import { z } from "zod";
import { type App, text } from "../../core/index.js";
import type { FeatureFlagService } from "../../services/feature-flags.js";
import { flagNamePattern } from "../../tenancy/feature-flag-catalog.js";
import { idParam } from "../params.js";
import { featureFlagAnswers } from "./answers.js";
import type { PlatformRouteDependencies } from "./guards.js";

const flagName = text().regex(flagNamePattern, "2 to 63 of a-z 0-9 _ . -, starting with a letter");

export function declareAdminFeatureFlagRoutes(
	_app: App,
	{ guards }: Pick<PlatformRouteDependencies, "guards">,
	flags: Pick<FeatureFlagService, "list" | "set" | "setOverride" | "removeOverride">,
): void {
	const { platformAdminRoute } = guards;
	const { list, created, updated, overrideCreated, overrideUpdated, overrideDeleted } = featureFlagAnswers;

	platformAdminRoute
		.declareRoute("GET", "/api/admin/feature-flags")
		.handler(async (_floor, response) => list.respond(response, { flags: await flags.list() }), list);

	// Creates the flag or sets its global value; every instance follows within a second.
	platformAdminRoute
		.declareRoute("PUT", "/api/admin/feature-flags/{name}")
		.extract({
			params: { name: flagName },
			body: { enabled: z.boolean(), description: text().trim().max(500).optional() },
		})
		.handler(
			async ({ pickup }, response) => {
				const set = await flags.set(
					pickup("name"),
					{ enabled: pickup("enabled"), description: pickup("description") },
					pickup("user").id,
				);
				if (set.status === "created") return created.respond(response, { flag: set.flag });
				return updated.respond(response, { flag: set.flag });
			},
			created,
			updated,
		);

	platformAdminRoute
		.declareRoute("PUT", "/api/admin/feature-flags/{name}/guilds/{guildId}")
		.extract({ params: { name: flagName, guildId: idParam }, body: { enabled: z.boolean() } })
		.handler(
			async ({ pickup }, response) => {
				const flag = pickup("name");
				const guildId = pickup("guildId");
				const enabled = pickup("enabled");
				const set = await flags.setOverride(flag, guildId, enabled, pickup("user").id);
				if (set.status === "flag-notfound") return featureFlagAnswers.notFound.send(response);
				if (set.status === "guild-notfound") return featureFlagAnswers.guildNotFound.send(response);
				const override = { flag, guildId, enabled };
				if (set.status === "created") return overrideCreated.respond(response, { override });
				return overrideUpdated.respond(response, { override });
			},
			overrideCreated,
			overrideUpdated,
			featureFlagAnswers.notFound,
			featureFlagAnswers.guildNotFound,
		);

	// The guild follows the global value again.
	platformAdminRoute
		.declareRoute("DELETE", "/api/admin/feature-flags/{name}/guilds/{guildId}")
		.extract({ params: { name: flagName, guildId: idParam } })
		.handler(
			async ({ pickup }, response) => {
				if (!(await flags.removeOverride(pickup("name"), pickup("guildId"), pickup("user").id)))
					return featureFlagAnswers.overrideNotFound.send(response);
				return overrideDeleted.respond(response);
			},
			overrideDeleted,
			featureFlagAnswers.overrideNotFound,
		);
}
