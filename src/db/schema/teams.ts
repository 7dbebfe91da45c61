// Teams: a group of characters played together, owned by a user or by a guild.
import { sql } from "drizzle-orm";
import { check, index, integer, pgTable, primaryKey, text, uniqueIndex } from "drizzle-orm/pg-core";
import { characters } from "./characters.js";
import { createdAt, id, timestamptz, updatedAt } from "./columns.js";
import { guilds } from "./guilds.js";
import { servers } from "./reference.js";
import { users } from "./users.js";

export const teams = pgTable(
	"teams",
	{
		id: id(),
		name: text("name").notNull(),
		ownerUserId: integer("owner_user_id").references(() => users.id, { onDelete: "cascade" }),
		guildId: integer("guild_id").references(() => guilds.id, { onDelete: "cascade" }),
		serverId: integer("server_id")
			.notNull()
			.references(() => servers.id, { onDelete: "restrict" }),
		createdAt: createdAt(),
		updatedAt: updatedAt(),
	},
	(t) => [
		check("teams_single_owner", sql`num_nonnulls(${t.ownerUserId}, ${t.guildId}) = 1`),
		// NULLs are distinct, so each index only constrains the teams of its kind of owner.
		uniqueIndex("teams_owner_name_unique").on(t.ownerUserId, sql`lower(${t.name})`),
		uniqueIndex("teams_guild_name_unique").on(t.guildId, sql`lower(${t.name})`),
		index("teams_server_idx").on(t.serverId),
	],
);

export const teamMembers = pgTable(
	"team_members",
	{
		teamId: integer("team_id")
			.notNull()
			.references(() => teams.id, { onDelete: "cascade" }),
		characterId: integer("character_id")
			.notNull()
			.references(() => characters.id, { onDelete: "cascade" }),
		addedAt: timestamptz("added_at").notNull().defaultNow(),
	},
	(t) => [
		primaryKey({ name: "team_members_pkey", columns: [t.teamId, t.characterId] }),
		index("team_members_character_idx").on(t.characterId),
	],
);
