// The audit log: who did what to a guild (its admins) or to the platform (platform admins), when, before and after.
import { sql } from "drizzle-orm";
import { bigint, check, index, integer, jsonb, pgTable, text } from "drizzle-orm/pg-core";
import { timestamptz } from "./columns.js";
import { users } from "./users.js";

export const auditScopes = ["guild", "platform"] as const;
export type AuditScope = (typeof auditScopes)[number];

/**
 * One row per action, written in the transaction of the action (a rolled-back change leaves none). Never updated.
 * `before`/`after` hold the changed fields only, never a secret (tokens, hashes, passwords: src/services/audit-log.ts
 * drops them).
 */
export const auditLog = pgTable(
	"audit_log",
	{
		id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
		at: timestamptz("at").notNull().defaultNow(),
		/** Who acted; null once their account is deleted (the row stays). */
		actorId: integer("actor_id").references(() => users.id, { onDelete: "set null" }),
		/** `guild`: a guild member acting with their role's rights; `platform`: a platform admin. */
		scope: text("scope").$type<AuditScope>().notNull(),
		/** The guild acted on. No foreign key: a deleted guild's rows stay for the platform admins. */
		guildId: integer("guild_id"),
		/** `role.updated`, `domain.activated`…: the list is src/services/audit-log.ts's. */
		action: text("action").notNull(),
		/** What was acted on inside the guild or the platform: `role` 12, `member` 7, `feature_flag` `guild.custom_domains`. */
		targetType: text("target_type"),
		targetId: text("target_id"),
		before: jsonb("before"),
		after: jsonb("after"),
	},
	(t) => [
		// A guild's page, newest first; and the platform's, by action.
		index("audit_log_guild_id_idx").on(t.guildId, t.id),
		index("audit_log_action_id_idx").on(t.action, t.id),
		check("audit_log_scope_known", sql`${t.scope} in ('guild', 'platform')`),
	],
);
