// The `guildFromHost` process: the guild the request's host names (resolved once by the app's host hook), or 404.
import { createProcess } from "../core/index.js";
import { hostAnswers } from "../tenancy/answers.js";
import { requestTenant } from "../tenancy/request-tenant.js";

/**
 * Drops `hostGuild` (`{ id, slug }`) for the routes of a guild's host. Unknown hosts never get here (the hook answered
 * 404 `guild.unknown_host`); the platform's own host without X-Guild gets the same answer from this step.
 */
export const guildFromHost = createProcess("guildFromHost")
	.oncePerRequest()
	.cut(
		(_floor, response, request) => {
			const tenant = requestTenant(request);
			if (tenant === undefined) return hostAnswers.noGuild.send(response);
			return { hostGuild: tenant.guild };
		},
		["hostGuild"],
		hostAnswers.noGuild,
	)
	.build(["hostGuild"]);

export type GuildFromHost = typeof guildFromHost;
