// Feature flags: a global value per flag, and per-guild values that override it.
import { sql } from "drizzle-orm";
import { boolean, check, index, integer, pgTable, primaryKey, text } from "drizzle-orm/pg-core";
import { createdAt, updatedAt } from "./columns.js";
import { guilds } from "./guilds.js";

/**
 * The flags platform admins have set. A flag the code knows (src/tenancy/feature-flag-catalog.ts) and nobody has set
 * yet has its catalog default, so a fresh database needs no rows.
 */
export const featureFlags = pgTable(
	"feature_flags",
	{
		/** `guild.custom_domains`: the rule of src/tenancy/feature-flag-catalog.ts, kept by the database too. */
		name: text("name").primaryKey(),
		description: text("description").notNull().default(""),
		/** The value for every guild without an override, and where there is no guild. */
		enabled: boolean("enabled").notNull(),
		createdAt: createdAt(),
		updatedAt: updatedAt(),
	},
	(t) => [check("feature_flags_name_format", sql`${t.name} ~ '^[a-z][a-z0-9_.-]{1,62}$'`)],
);

/** A guild's own value of a flag; gone with the flag or the guild. */
export const guildFeatureFlags = pgTable(
	"guild_feature_flags",
	{
		flagName: text("flag_name")
			.notNull()
			.references(() => featureFlags.name, { onDelete: "cascade" }),
		guildId: integer("guild_id")
			.notNull()
			.references(() => guilds.id, { onDelete: "cascade" }),
		enabled: boolean("enabled").notNull(),
		updatedAt: updatedAt(),
	},
	(t) => [
		primaryKey({ name: "guild_feature_flags_pkey", columns: [t.flagName, t.guildId] }),
		index("guild_feature_flags_guild_idx").on(t.guildId),
	],
);
