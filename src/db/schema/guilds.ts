// Guilds (the tenants), their addresses (slug, previous slugs, custom domains), their roles and their members.
import { sql } from "drizzle-orm";
import {
	type AnyPgColumn,
	boolean,
	check,
	foreignKey,
	index,
	integer,
	pgTable,
	primaryKey,
	text,
	unique,
	uniqueIndex,
} from "drizzle-orm/pg-core";
import { createdAt, id, timestamptz, updatedAt } from "./columns.js";
import { users } from "./users.js";

/** The slug rule of src/tenancy/slugs.ts, kept by the database too: 3–30 lower-case letters, digits, inner dashes. */
function slugFormat(column: AnyPgColumn) {
	return sql`${column} ~ '^[a-z0-9][a-z0-9-]*[a-z0-9]$' and char_length(${column}) between 3 and 30`;
}

export const guildRoleKinds = ["owner", "member", "custom"] as const;
export type GuildRoleKind = (typeof guildRoleKinds)[number];

export const guilds = pgTable(
	"guilds",
	{
		id: id(),
		name: text("name").notNull(),
		/** The guild's host is `<slug>.<BASE_DOMAIN>`; reserved names are the code's rule (config), not the database's. */
		slug: text("slug").notNull(),
		/** Kept when the creator's account is deleted: the guild belongs to its members. */
		createdBy: integer("created_by").references(() => users.id, { onDelete: "set null" }),
		createdAt: createdAt(),
		updatedAt: updatedAt(),
	},
	(t) => [
		index("guilds_created_by_idx").on(t.createdBy),
		uniqueIndex("guilds_slug_unique").on(t.slug),
		check("guilds_slug_format", slugFormat(t.slug)),
	],
);

/**
 * A guild's previous slugs: each redirects to the guild's current host until `expires_at`, and no other guild may take
 * it before then. A slug is in at most one guild's history; a guild taking back one of its own drops the row.
 */
export const guildSlugHistory = pgTable(
	"guild_slug_history",
	{
		slug: text("slug").primaryKey(),
		guildId: integer("guild_id")
			.notNull()
			.references(() => guilds.id, { onDelete: "cascade" }),
		retiredAt: timestamptz("retired_at").notNull().defaultNow(),
		expiresAt: timestamptz("expires_at").notNull(),
	},
	(t) => [
		index("guild_slug_history_guild_idx").on(t.guildId),
		check("guild_slug_history_slug_format", slugFormat(t.slug)),
	],
);

/**
 * Custom domains a guild serves its host at (`guilde-iop.fr`). Stored lower-case, IDN labels as punycode, as the
 * resolver compares them; inactive until a platform admin activates them.
 */
export const guildDomains = pgTable(
	"guild_domains",
	{
		id: id(),
		guildId: integer("guild_id")
			.notNull()
			.references(() => guilds.id, { onDelete: "cascade" }),
		domain: text("domain").notNull(),
		createdAt: createdAt(),
		/** Null: waiting for a platform admin; the domain names no guild until then. */
		activatedAt: timestamptz("activated_at"),
		activatedBy: integer("activated_by").references(() => users.id, { onDelete: "set null" }),
	},
	(t) => [
		uniqueIndex("guild_domains_domain_unique").on(t.domain),
		index("guild_domains_guild_idx").on(t.guildId),
		check("guild_domains_domain_lowercase", sql`${t.domain} = lower(${t.domain})`),
	],
);

export const guildRoles = pgTable(
	"guild_roles",
	{
		id: id(),
		guildId: integer("guild_id")
			.notNull()
			.references(() => guilds.id, { onDelete: "cascade" }),
		name: text("name").notNull(),
		/** Permission identifiers such as `team.manage`; the list is owned by the code, not the database. */
		permissions: text("permissions").array().notNull().default(sql`'{}'::text[]`),
		/** System roles (e.g. the leader's) are created with the guild and cannot be deleted. */
		isSystem: boolean("is_system").notNull().default(false),
		/** `owner` and `member` are the system roles every guild has (one of each); the rest are `custom`. */
		kind: text("kind", { enum: guildRoleKinds }).notNull().default("custom"),
		createdAt: createdAt(),
		updatedAt: updatedAt(),
	},
	(t) => [
		uniqueIndex("guild_roles_guild_name_unique").on(t.guildId, sql`lower(${t.name})`),
		// Target of guild_members' composite key: a member's role must belong to the same guild.
		unique("guild_roles_guild_id_id_unique").on(t.guildId, t.id),
		check("guild_roles_kind_valid", sql`${t.kind} in ('owner', 'member', 'custom')`),
		uniqueIndex("guild_roles_guild_kind_unique").on(t.guildId, t.kind).where(sql`${t.kind} <> 'custom'`),
	],
);

export const guildMembers = pgTable(
	"guild_members",
	{
		guildId: integer("guild_id")
			.notNull()
			.references(() => guilds.id, { onDelete: "cascade" }),
		userId: integer("user_id")
			.notNull()
			.references(() => users.id, { onDelete: "cascade" }),
		roleId: integer("role_id").notNull(),
		joinedAt: timestamptz("joined_at").notNull().defaultNow(),
	},
	(t) => [
		primaryKey({ name: "guild_members_pkey", columns: [t.guildId, t.userId] }),
		// NO ACTION (checked at statement end) rather than RESTRICT, so deleting a guild can cascade to
		// its roles and its members in one statement; deleting a role still in use is refused.
		foreignKey({
			name: "guild_members_role_fk",
			columns: [t.guildId, t.roleId],
			foreignColumns: [guildRoles.guildId, guildRoles.id],
		}).onDelete("no action"),
		index("guild_members_user_idx").on(t.userId),
		index("guild_members_role_idx").on(t.roleId),
	],
);
