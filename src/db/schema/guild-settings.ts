// A guild's settings (locale, timezone, visibility, default role, member limit) and its request counts by the hour.
import { sql } from "drizzle-orm";
import { bigint, check, foreignKey, index, integer, pgTable, primaryKey, text } from "drizzle-orm/pg-core";
import { timestamptz, updatedAt } from "./columns.js";
import { guildRoles, guilds } from "./guilds.js";
import { users } from "./users.js";

export const guildVisibilities = ["public", "members"] as const;
export type GuildVisibility = (typeof guildVisibilities)[number];

/**
 * One row per guild whose settings were ever changed; a guild without one has the defaults (the column defaults, also
 * said in src/services/guild-settings.ts). Typed columns rather than a jsonb document: each value has its rule in the
 * database too, and the default role is a foreign key.
 */
export const guildSettings = pgTable(
	"guild_settings",
	{
		guildId: integer("guild_id")
			.primaryKey()
			.references(() => guilds.id, { onDelete: "cascade" }),
		/** A BCP 47 tag among the supported ones (the code's list). */
		locale: text("locale").notNull().default("en"),
		/** An IANA time zone name (`Europe/Paris`). */
		timezone: text("timezone").notNull().default("UTC"),
		/** `public`: anyone on the guild's host reads its profile; `members`: only its members. */
		visibility: text("visibility").$type<GuildVisibility>().notNull().default("public"),
		/** The role an invitation that names none gives; null: the guild's `member` role. */
		defaultRoleId: integer("default_role_id"),
		/** Members the guild may hold; accepting an invitation past it is refused. */
		memberLimit: integer("member_limit").notNull().default(1000),
		updatedAt: updatedAt(),
		updatedBy: integer("updated_by").references(() => users.id, { onDelete: "set null" }),
	},
	(t) => [
		// The default role belongs to the same guild; deleting it while it is the default is refused (NO ACTION, checked
		// at statement end, so deleting the guild still cascades to both).
		foreignKey({
			name: "guild_settings_default_role_fk",
			columns: [t.guildId, t.defaultRoleId],
			foreignColumns: [guildRoles.guildId, guildRoles.id],
		}).onDelete("no action"),
		check("guild_settings_visibility_known", sql`${t.visibility} in ('public', 'members')`),
		check("guild_settings_member_limit_range", sql`${t.memberLimit} between 1 and 1000`),
	],
);

/**
 * Requests served for a guild (on its host, or under /api/guilds/{id}/), one row per guild and hour. Each instance
 * counts in memory and adds its counts every few seconds (src/tenancy/request-counts.ts): no write per request.
 */
export const guildRequestCounts = pgTable(
	"guild_request_counts",
	{
		guildId: integer("guild_id")
			.notNull()
			.references(() => guilds.id, { onDelete: "cascade" }),
		/** The start of the hour (UTC) the requests were served in. */
		hour: timestamptz("hour").notNull(),
		count: bigint("count", { mode: "number" }).notNull(),
	},
	(t) => [
		primaryKey({ name: "guild_request_counts_pkey", columns: [t.guildId, t.hour] }),
		// The pruning of old hours.
		index("guild_request_counts_hour_idx").on(t.hour),
		check("guild_request_counts_count_positive", sql`${t.count} > 0`),
	],
);
