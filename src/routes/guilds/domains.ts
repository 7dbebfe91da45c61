// Custom domain routes of a guild: list, add (inactive until a platform admin activates it), delete; right guild.manage,
// and the feature flag `guild.custom_domains` on for the guild.
import type { App } from "../../core/index.js";
import { text } from "../../core/index.js";
import type { GuildDomainService } from "../../services/guild-domains.js";
import type { FeatureGuards } from "../features/guards.js";
import type { IdentityRouteDependencies } from "../guards.js";
import { idParam } from "../params.js";
import { domainAnswers } from "./answers.js";

/** A domain row as the routes answer it: `active` said outright. */
export function domainView<T extends { activatedAt: Date | null }>(row: T): T & { active: boolean } {
	return { ...row, active: row.activatedAt !== null };
}

export function declareDomainRoutes(
	_app: App,
	{ guards }: { guards: IdentityRouteDependencies["guards"] & FeatureGuards },
	domains: Pick<GuildDomainService, "list" | "add" | "remove">,
): void {
	const { authenticatedRoute, userHasRight, featureEnabled } = guards;
	// After the rights: a caller who may not manage the guild learns nothing of its flags.
	const customDomains = featureEnabled("guild.custom_domains");

	authenticatedRoute
		.declareRoute("GET", "/api/guilds/{guildId}/domains")
		.extract({ params: { guildId: idParam } })
		.process(userHasRight, { input: (pickup) => pickup("guildId"), options: { right: "guild.manage" } })
		.presetCheck(customDomains, (pickup) => pickup("guildId"))
		.handler(async ({ pickup }, response) => {
			const rows = await domains.list(pickup("guildId"));
			return domainAnswers.list.respond(response, { domains: rows.map(domainView) });
		}, domainAnswers.list);

	authenticatedRoute
		.declareRoute("POST", "/api/guilds/{guildId}/domains")
		// The name as the guild types it: case, a trailing dot and Unicode (IDN) are normalised by the service.
		.extract({ params: { guildId: idParam }, body: { domain: text().trim().min(1).max(253) } })
		.process(userHasRight, { input: (pickup) => pickup("guildId"), options: { right: "guild.manage" } })
		.presetCheck(customDomains, (pickup) => pickup("guildId"))
		.handler(
			async ({ pickup }, response) => {
				const added = await domains.add(pickup("guildId"), pickup("domain"), pickup("user").id);
				switch (added.status) {
					case "invalid":
						return domainAnswers.invalid.send(response);
					case "limit":
						return domainAnswers.limit.send(response);
					case "taken":
						return domainAnswers.taken.send(response);
					case "created":
						return domainAnswers.created.respond(response, { domain: domainView(added.domain) });
				}
			},
			domainAnswers.created,
			domainAnswers.invalid,
			domainAnswers.limit,
			domainAnswers.taken,
		);

	authenticatedRoute
		.declareRoute("DELETE", "/api/guilds/{guildId}/domains/{domainId}")
		.extract({ params: { guildId: idParam, domainId: idParam } })
		.process(userHasRight, { input: (pickup) => pickup("guildId"), options: { right: "guild.manage" } })
		.presetCheck(customDomains, (pickup) => pickup("guildId"))
		.handler(
			async ({ pickup }, response) => {
				if (!(await domains.remove(pickup("guildId"), pickup("domainId"), pickup("user").id)))
					return domainAnswers.notFound.send(response);
				return domainAnswers.deleted.respond(response);
			},
			domainAnswers.deleted,
			domainAnswers.notFound,
		);
}
