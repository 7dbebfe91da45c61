// GET /api/guilds/{guildId}/usage: the guild's figures (members, characters, teams, bytes, jobs, requests), right guild.manage.
import type { App } from "../../core/index.js";
import type { GuildUsageService } from "../../services/guild-usage.js";
import type { IdentityRouteDependencies } from "../guards.js";
import { idParam } from "../params.js";
import { usageAnswers } from "./answers.js";

export function declareUsageRoutes(
	_app: App,
	{ guards }: Pick<IdentityRouteDependencies, "guards">,
	usage: Pick<GuildUsageService, "usage">,
): void {
	const { authenticatedRoute, userHasRight } = guards;

	// The right of the other management routes (settings, domains): owners hold it, and whom they give it to.
	authenticatedRoute
		.declareRoute("GET", "/api/guilds/{guildId}/usage")
		.extract({ params: { guildId: idParam } })
		.process(userHasRight, { input: (pickup) => pickup("guildId"), options: { right: "guild.manage" } })
		.handler(
			async ({ pickup }, response) =>
				usageAnswers.found.respond(response, { usage: await usage.usage(pickup("guildId")) }),
			usageAnswers.found,
		);
}
