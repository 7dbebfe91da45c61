// Progressions: where a character stands on a quest, achievement or dungeon.
import { sql } from "drizzle-orm";
import { check, index, integer, pgTable, primaryKey, text } from "drizzle-orm/pg-core";
import { characters } from "./characters.js";
import { updatedAt } from "./columns.js";

// Text + CHECK rather than pg enums: adding a value stays a plain migration that runs in a transaction.
export const progressionKinds = ["quest", "achievement", "dungeon"] as const;
export const progressionStatuses = ["todo", "in_progress", "done"] as const;

export type ProgressionKind = (typeof progressionKinds)[number];
export type ProgressionStatus = (typeof progressionStatuses)[number];

const quoted = (values: readonly string[]) => sql.raw(values.map((value) => `'${value}'`).join(", "));

export const progressions = pgTable(
	"progressions",
	{
		characterId: integer("character_id")
			.notNull()
			.references(() => characters.id, { onDelete: "cascade" }),
		kind: text("kind", { enum: progressionKinds }).notNull(),
		/** Id in the reference table of `kind` (e.g. dungeons.id); no foreign key since it depends on kind. */
		refId: integer("ref_id").notNull(),
		status: text("status", { enum: progressionStatuses }).notNull().default("todo"),
		updatedAt: updatedAt(),
	},
	(t) => [
		primaryKey({ name: "progressions_pkey", columns: [t.characterId, t.kind, t.refId] }),
		check("progressions_kind_valid", sql`${t.kind} in (${quoted(progressionKinds)})`),
		check("progressions_status_valid", sql`${t.status} in (${quoted(progressionStatuses)})`),
		// "Who in my team has done dungeon X?"
		index("progressions_ref_idx").on(t.kind, t.refId),
	],
);
