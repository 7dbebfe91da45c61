// GET /api/guilds/{guildId}/audit: the guild's audit log, newest first, for its owners only.
import type { App } from "../../core/index.js";
import type { AuditLogService } from "../../services/audit-log.js";
import type { IdentityRouteDependencies } from "../guards.js";
import { idParam } from "../params.js";
import { auditAnswers } from "./answers.js";
import { auditActionsQuery, auditBeforeQuery, auditLimitQuery } from "./management-schemas.js";

export function declareGuildAuditRoutes(
	_app: App,
	{ guards }: Pick<IdentityRouteDependencies, "guards">,
	audit: Pick<AuditLogService, "list">,
): void {
	const { authenticatedRoute, userHasRight } = guards;

	authenticatedRoute
		.declareRoute("GET", "/api/guilds/{guildId}/audit")
		.extract({
			params: { guildId: idParam },
			query: { action: auditActionsQuery, before: auditBeforeQuery, limit: auditLimitQuery },
		})
		.process(userHasRight, { input: (pickup) => pickup("guildId"), pickup: ["membership"] })
		.cut(
			({ pickup }, response) => {
				// Who did what to whom, managers' actions included: the owners' to read, like deleting the guild is theirs.
				if (pickup("membership").roleKind !== "owner") auditAnswers.ownerOnly.send(response);
			},
			[],
			auditAnswers.ownerOnly,
		)
		.handler(async ({ pickup }, response) => {
			const page = await audit.list({
				guildId: pickup("guildId"),
				actions: pickup("action"),
				before: pickup("before"),
				limit: pickup("limit"),
			});
			// A guild's owners see that a platform admin acted (domain activation, a flag), not which one.
			const entries = page.entries.map((entry) => (entry.scope === "platform" ? { ...entry, actor: null } : entry));
			return auditAnswers.page.respond(response, { entries, next: page.next });
		}, auditAnswers.page);
}
