// Guild settings routes: read them (any member), change them (right guild.manage); every field is validated.
import { z } from "zod";
import type { App } from "../../core/index.js";
import { guildVisibilities } from "../../db/schema/index.js";
import type { GuildSettingsService } from "../../services/guild-settings.js";
import type { IdentityRouteDependencies } from "../guards.js";
import { idParam } from "../params.js";
import { roleAnswers, settingsAnswers } from "./answers.js";
import { defaultRoleInput, localeInput, memberLimitInput, timezoneInput } from "./management-schemas.js";

export function declareSettingsRoutes(
	_app: App,
	{ guards }: Pick<IdentityRouteDependencies, "guards">,
	settings: Pick<GuildSettingsService, "get" | "update">,
): void {
	const { authenticatedRoute, userHasRight } = guards;

	authenticatedRoute
		.declareRoute("GET", "/api/guilds/{guildId}/settings")
		.extract({ params: { guildId: idParam } })
		.process(userHasRight, { input: (pickup) => pickup("guildId") })
		.handler(
			async ({ pickup }, response) =>
				settingsAnswers.found.respond(response, { settings: await settings.get(pickup("guildId")) }),
			settingsAnswers.found,
		);

	// The fields sent change, the others stay: a client changing the locale need not know the member limit.
	authenticatedRoute
		.declareRoute("PUT", "/api/guilds/{guildId}/settings")
		.extract({
			params: { guildId: idParam },
			body: {
				locale: localeInput.optional(),
				timezone: timezoneInput.optional(),
				visibility: z.enum(guildVisibilities).optional(),
				defaultRoleId: defaultRoleInput.optional(),
				memberLimit: memberLimitInput.optional(),
			},
		})
		.process(userHasRight, { input: (pickup) => pickup("guildId"), options: { right: "guild.manage" } })
		.handler(
			async ({ pickup }, response) => {
				const updated = await settings.update(
					pickup("guildId"),
					{
						locale: pickup("locale"),
						timezone: pickup("timezone"),
						visibility: pickup("visibility"),
						defaultRoleId: pickup("defaultRoleId"),
						memberLimit: pickup("memberLimit"),
					},
					pickup("user").id,
				);
				if (updated.status === "role-notfound") return roleAnswers.notFound.send(response);
				if (updated.status === "owner-role") return settingsAnswers.ownerDefaultRole.send(response);
				return settingsAnswers.updated.respond(response, { settings: updated.settings });
			},
			settingsAnswers.updated,
			roleAnswers.notFound,
			settingsAnswers.ownerDefaultRole,
		);
}
