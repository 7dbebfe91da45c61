// Reference data tables (classes, servers, dungeons): ids are stable and chosen by us, not generated.
import { sql } from "drizzle-orm";
import { check, index, integer, pgTable, text, uniqueIndex } from "drizzle-orm/pg-core";

export const classes = pgTable(
	"classes",
	{
		id: integer("id").primaryKey(),
		name: text("name").notNull(),
	},
	(t) => [uniqueIndex("classes_name_unique").on(t.name)],
);

export const servers = pgTable(
	"servers",
	{
		id: integer("id").primaryKey(),
		name: text("name").notNull(),
	},
	(t) => [uniqueIndex("servers_name_unique").on(t.name)],
);

export const dungeons = pgTable(
	"dungeons",
	{
		id: integer("id").primaryKey(),
		name: text("name").notNull(),
		level: integer("level").notNull(),
	},
	(t) => [
		uniqueIndex("dungeons_name_unique").on(t.name),
		index("dungeons_level_idx").on(t.level),
		check("dungeons_level_range", sql`${t.level} between 1 and 200`),
	],
);

/** Tables whose rows ship with the code; test resets keep them. */
export const referenceTables = [classes, servers, dungeons] as const;
