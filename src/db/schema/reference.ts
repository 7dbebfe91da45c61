// Reference data tables (classes, servers, dungeons): ids are stable and chosen by us, not generated.
import { sql } from "drizzle-orm";
import { check, index, integer, pgTable, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";

// Shared by the three tables. `dofusdbId` maps a row to its DofusDB record (see src/sync/dofusdb.ts): our ids
// stay ours, so characters' foreign keys never move. `syncedAt` is set once a sync has written the row: from
// then on the DofusDB sync owns its name and level, and the shipped seed no longer restores them.
const sourceColumns = () => ({
	dofusdbId: integer("dofusdb_id"),
	syncedAt: timestamp("synced_at", { withTimezone: true }),
});

export const classes = pgTable(
	"classes",
	{
		id: integer("id").primaryKey(),
		name: text("name").notNull(),
		...sourceColumns(),
	},
	(t) => [uniqueIndex("classes_name_unique").on(t.name), uniqueIndex("classes_dofusdb_id_unique").on(t.dofusdbId)],
);

export const servers = pgTable(
	"servers",
	{
		id: integer("id").primaryKey(),
		name: text("name").notNull(),
		...sourceColumns(),
	},
	(t) => [uniqueIndex("servers_name_unique").on(t.name), uniqueIndex("servers_dofusdb_id_unique").on(t.dofusdbId)],
);

export const dungeons = pgTable(
	"dungeons",
	{
		id: integer("id").primaryKey(),
		name: text("name").notNull(),
		level: integer("level").notNull(),
		...sourceColumns(),
	},
	(t) => [
		uniqueIndex("dungeons_name_unique").on(t.name),
		uniqueIndex("dungeons_dofusdb_id_unique").on(t.dofusdbId),
		index("dungeons_level_idx").on(t.level),
		check("dungeons_level_range", sql`${t.level} between 1 and 200`),
	],
);

/** Tables whose rows ship with the code; test resets keep them. */
export const referenceTables = [classes, servers, dungeons] as const;
