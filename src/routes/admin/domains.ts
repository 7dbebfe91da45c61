// Platform-admin routes for custom domains: the list (waiting ones with `state=pending`), activate, deactivate.
import { z } from "zod";
import type { App } from "../../core/index.js";
import type { GuildDomainService } from "../../services/guild-domains.js";
import { domainAnswers } from "../guilds/answers.js";
import { domainView } from "../guilds/domains.js";
import { idParam } from "../params.js";
import type { PlatformRouteDependencies } from "./guards.js";

export function declareAdminDomainRoutes(
	_app: App,
	{ guards }: Pick<PlatformRouteDependencies, "guards">,
	domains: Pick<GuildDomainService, "listAll" | "setActive">,
): void {
	const { platformAdminRoute } = guards;
	const { adminList, activated, deactivated, adminNotFound } = domainAnswers;

	platformAdminRoute
		.declareRoute("GET", "/api/admin/domains")
		.extract({ query: { state: z.enum(["pending", "active"]).optional() } })
		.handler(async ({ pickup }, response) => {
			const rows = await domains.listAll(pickup("state"));
			return adminList.respond(response, { domains: rows.map(domainView) });
		}, adminList);

	// PUT and DELETE of the activation: each idempotent, each tells every instance at once.
	platformAdminRoute
		.declareRoute("PUT", "/api/admin/domains/{domainId}/activation")
		.extract({ params: { domainId: idParam } })
		.handler(
			async ({ pickup }, response) => {
				const row = await domains.setActive(pickup("domainId"), true, pickup("user").id);
				if (row === undefined) return adminNotFound.send(response);
				return activated.respond(response, { domain: domainView(row) });
			},
			activated,
			adminNotFound,
		);

	platformAdminRoute
		.declareRoute("DELETE", "/api/admin/domains/{domainId}/activation")
		.extract({ params: { domainId: idParam } })
		.handler(
			async ({ pickup }, response) => {
				const row = await domains.setActive(pickup("domainId"), false, pickup("user").id);
				if (row === undefined) return adminNotFound.send(response);
				return deactivated.respond(response, { domain: domainView(row) });
			},
			deactivated,
			adminNotFound,
		);
}
