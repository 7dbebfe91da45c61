// Uploaded files: one row per stored object (a portrait and its thumbnail are two), the log of objects left to delete
// once their rows are gone, and the upload attempts the per-minute limit counts.
import { sql } from "drizzle-orm";
import { type AnyPgColumn, bigint, check, index, integer, pgTable, text, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { characters } from "./characters.js";
import { createdAt, timestamptz } from "./columns.js";
import { guilds } from "./guilds.js";
import { users } from "./users.js";

/**
 * What a file is for, which says what it belongs to and who may read it: a character's portrait (and its thumbnail),
 * a guild's emblem (and its thumbnail), a spreadsheet of characters to import (its owner's only).
 */
export const filePurposes = [
	"portrait",
	"portrait-thumbnail",
	"emblem",
	"emblem-thumbnail",
	"character-import",
] as const;
export type FilePurpose = (typeof filePurposes)[number];

/**
 * `pending`: the row reserves the bytes (quotas sum every row) while they are being stored; nothing reads it. `stored`:
 * the object is in the storage. A pending row left by a crash is removed by the clean-up after a grace period.
 */
export const fileStates = ["pending", "stored"] as const;
export type FileState = (typeof fileStates)[number];

const inList = (values: readonly string[]) => sql.raw(values.map((value) => `'${value}'`).join(", "));

export const files = pgTable(
	"files",
	{
		/** Random, so that file URLs (`/api/files/{id}`) cannot be enumerated. */
		id: uuid("id").primaryKey().defaultRandom(),
		/**
		 * Who uploaded it, whose quota it counts against. Set to null when that user goes: a guild's emblem stays with the
		 * guild; a file that belonged to nothing else (an import) is then removed by the clean-up.
		 */
		ownerId: integer("owner_id").references(() => users.id, { onDelete: "set null" }),
		/** The guild whose emblem it is; gone with the guild. */
		guildId: integer("guild_id").references(() => guilds.id, { onDelete: "cascade" }),
		/** The character whose portrait it is; gone with the character (and so with its game account and user). */
		characterId: integer("character_id").references(() => characters.id, { onDelete: "cascade" }),
		/** The file this one is a smaller variant of (a thumbnail's portrait); gone with it. */
		variantOf: uuid("variant_of").references((): AnyPgColumn => files.id, { onDelete: "cascade" }),
		purpose: text("purpose").$type<FilePurpose>().notNull(),
		state: text("state").$type<FileState>().notNull().default("pending"),
		/** Generated (`files/<uuid>`), never the client's name. */
		storageKey: text("storage_key").notNull(),
		/** Detected from the content (or the type it was re-encoded to), never taken from the client. */
		contentType: text("content_type").notNull(),
		size: bigint("size", { mode: "number" }).notNull(),
		/** Lower-case hex SHA-256 of the stored bytes; the downloads' ETag. Unknown while pending for bytes of unknown digest. */
		sha256: text("sha256"),
		/** The name the client gave (shown in downloads' Content-Disposition), never used as a path. */
		originalName: text("original_name").notNull(),
		createdAt: createdAt(),
	},
	(t) => [
		uniqueIndex("files_storage_key_unique").on(t.storageKey),
		index("files_owner_idx").on(t.ownerId),
		index("files_guild_idx").on(t.guildId),
		index("files_character_idx").on(t.characterId),
		index("files_variant_of_idx").on(t.variantOf),
		// The clean-up's look-up of pending rows left behind.
		index("files_pending_created_idx").on(t.createdAt).where(sql`${t.state} = 'pending'`),
		// One portrait per character and one emblem per guild at a time (a replacement is pending until it swaps in).
		uniqueIndex("files_portrait_per_character_unique")
			.on(t.characterId)
			.where(sql`${t.purpose} = 'portrait' and ${t.state} = 'stored'`),
		uniqueIndex("files_emblem_per_guild_unique")
			.on(t.guildId)
			.where(sql`${t.purpose} = 'emblem' and ${t.state} = 'stored'`),
		check("files_purpose_known", sql`${t.purpose} in (${inList(filePurposes)})`),
		check("files_state_known", sql`${t.state} in (${inList(fileStates)})`),
		check("files_size_not_negative", sql`${t.size} >= 0`),
		check("files_sha256_format", sql`${t.sha256} ~ '^[0-9a-f]{64}$'`),
		check("files_stored_has_sha256", sql`${t.state} = 'pending' or ${t.sha256} is not null`),
		check(
			"files_portrait_has_character",
			sql`${t.purpose} not in ('portrait', 'portrait-thumbnail') or ${t.characterId} is not null`,
		),
		check(
			"files_emblem_has_guild",
			sql`${t.purpose} not in ('emblem', 'emblem-thumbnail') or ${t.guildId} is not null`,
		),
	],
);

/**
 * Objects whose rows were deleted, written by a trigger on `files` in the deleting transaction (so a rollback writes
 * nothing, and every path counts: a character, a game account, a guild or a user deleted with their files by cascade).
 * The object is deleted after the commit (src/services/file-deletions.ts), then its line.
 */
export const fileDeletions = pgTable("file_deletions", {
	id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
	storageKey: text("storage_key").notNull(),
	deletedAt: timestamptz("deleted_at").notNull().defaultNow(),
});

/** One row per upload a user started, for UPLOADS_PER_MINUTE; rows older than the window are pruned as uploads come. */
export const uploadAttempts = pgTable(
	"upload_attempts",
	{
		id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
		userId: integer("user_id")
			.notNull()
			.references(() => users.id, { onDelete: "cascade" }),
		attemptedAt: timestamptz("attempted_at").notNull(),
	},
	(t) => [index("upload_attempts_user_at_idx").on(t.userId, t.attemptedAt)],
);
