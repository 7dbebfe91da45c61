// GET /api/admin/audit: the whole audit log (every guild's and the platform's), newest first, for platform admins.
import type { App } from "../../core/index.js";
import type { AuditLogService } from "../../services/audit-log.js";
import { auditAnswers } from "../guilds/answers.js";
import { auditActionsQuery, auditBeforeQuery, auditLimitQuery } from "../guilds/management-schemas.js";
import { idParam } from "../params.js";
import type { PlatformRouteDependencies } from "./guards.js";

export function declareAdminAuditRoutes(
	_app: App,
	{ guards }: Pick<PlatformRouteDependencies, "guards">,
	audit: Pick<AuditLogService, "list">,
): void {
	const { platformAdminRoute } = guards;

	platformAdminRoute
		.declareRoute("GET", "/api/admin/audit")
		.extract({
			query: {
				guildId: idParam.optional(),
				actorId: idParam.optional(),
				action: auditActionsQuery,
				before: auditBeforeQuery,
				limit: auditLimitQuery,
			},
		})
		.handler(async ({ pickup }, response) => {
			const page = await audit.list({
				guildId: pickup("guildId"),
				actorId: pickup("actorId"),
				actions: pickup("action"),
				before: pickup("before"),
				limit: pickup("limit"),
			});
			return auditAnswers.page.respond(response, page);
		}, auditAnswers.page);
}
