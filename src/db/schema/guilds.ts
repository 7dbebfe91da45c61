// Guilds (the tenants), their roles and their members.
import { sql } from "drizzle-orm";
import {
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

export const guildRoleKinds = ["owner", "member", "custom"] as const;
export type GuildRoleKind = (typeof guildRoleKinds)[number];

export const guilds = pgTable(
	"guilds",
	{
		id: id(),
		name: text("name").notNull(),
		/** Kept when the creator's account is deleted: the guild belongs to its members. */
		createdBy: integer("created_by").references(() => users.id, { onDelete: "set null" }),
		createdAt: createdAt(),
		updatedAt: updatedAt(),
	},
	(t) => [index("guilds_created_by_idx").on(t.createdBy)],
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
