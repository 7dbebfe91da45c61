// Pictures: a character's portrait and a guild's emblem, each a 256 px WebP file with a 64 px thumbnail variant,
// set (replacing the previous one), removed, and looked up for the JSON of characters and guilds.
import { and, eq, inArray } from "drizzle-orm";
import type { UploadedFile } from "../core/index.js";
import type { Database, Executor, Transaction } from "../db/index.js";
import { type FilePurpose, files, guilds } from "../db/schema/index.js";
import { publishEvent } from "../realtime/publish.js";
import { rooms } from "../realtime/rooms.js";
import type { OwnedCharacter } from "./characters.js";
import { characterAudiences } from "./event-rooms.js";
import { type FileService, fileUrl, type StoredFiles } from "./files.js";
import { squareVariants } from "./images.js";

/** How a character's `portrait` and a guild's `emblem` read in their JSON. */
export interface Picture {
	fileId: string;
	/** `/api/files/{fileId}`: 256 × 256. */
	url: string;
	/** 64 × 64. */
	thumbnailUrl: string;
}

/** The sides of the two variants, in pixels. */
export const pictureSides = { full: 256, thumbnail: 64 } as const;

/** The largest upload accepted, and its types (recognised from the content). */
export const pictureUpload = {
	types: ["image/png", "image/jpeg", "image/webp"] as const,
	maxBytes: 2 * 1024 * 1024,
};

type PictureKind = {
	purpose: FilePurpose;
	thumbnail: FilePurpose;
	column: typeof files.characterId | typeof files.guildId;
};
const portrait: PictureKind = { purpose: "portrait", thumbnail: "portrait-thumbnail", column: files.characterId };
const emblem: PictureKind = { purpose: "emblem", thumbnail: "emblem-thumbnail", column: files.guildId };

function pictureOf(stored: StoredFiles): Picture {
	const thumbnail = stored.variants[0] ?? stored.file;
	return { fileId: stored.file.id, url: fileUrl(stored.file.id), thumbnailUrl: fileUrl(thumbnail.id) };
}

/** `portrait.png` → `portrait.webp`: the name downloads offer is the upload's, with the type it now has. */
function webpName(originalName: string, size: number): string {
	const base = originalName.replace(/\.[^.]*$/, "") || "picture";
	return size === pictureSides.full ? `${base}.webp` : `${base}-${size}.webp`;
}

/** The pictures of `ids` (characters or guilds, by `kind`), by subject id; those without one are left out. */
async function picturesOf(executor: Executor, kind: PictureKind, ids: readonly number[]) {
	const found = new Map<number, Picture>();
	if (ids.length === 0) return found;
	const rows = await executor
		.select({ subjectId: kind.column, id: files.id, purpose: files.purpose, variantOf: files.variantOf })
		.from(files)
		.where(
			and(
				inArray(kind.column, [...ids]),
				inArray(files.purpose, [kind.purpose, kind.thumbnail]),
				eq(files.state, "stored"),
			),
		);
	const thumbnails = new Map(
		rows.filter((row) => row.purpose === kind.thumbnail).map((row) => [row.variantOf, row.id] as const),
	);
	for (const row of rows) {
		if (row.purpose !== kind.purpose || row.subjectId === null) continue;
		const thumbnail = thumbnails.get(row.id) ?? row.id;
		found.set(row.subjectId, { fileId: row.id, url: fileUrl(row.id), thumbnailUrl: fileUrl(thumbnail) });
	}
	return found;
}

/** A character's portrait as its JSON shows it, read with `executor` (inside a change's transaction, for its event). */
export async function portraitIn(executor: Executor, characterId: number): Promise<Picture | null> {
	return (await picturesOf(executor, portrait, [characterId])).get(characterId) ?? null;
}

/** A guild's emblem as its JSON shows it, read with `executor`. */
export async function emblemIn(executor: Executor, guildId: number): Promise<Picture | null> {
	return (await picturesOf(executor, emblem, [guildId])).get(guildId) ?? null;
}

export function createPictureService(db: Database, filesService: FileService) {
	/** The pictures of `ids` (characters or guilds), one query for any number. */

	/**
	 * Re-encodes the upload into its two variants, then stores them in place of the subject's previous picture (whose
	 * objects go after the commit), `announce` running in the same transaction. Throws `ImageUnreadableError`,
	 * `QuotaExceededError`, `FileSubjectGoneError` or a storage error; nothing is kept then.
	 */
	async function setPicture(
		kind: PictureKind,
		subject: { characterId: number } | { guildId: number },
		ownerId: number,
		upload: UploadedFile,
		announce: (tx: Transaction, picture: Picture) => Promise<void>,
	): Promise<Picture> {
		const [full, thumbnail] = await squareVariants(upload.path, [pictureSides.full, pictureSides.thumbnail]);
		if (full === undefined || thumbnail === undefined) throw new Error("sharp made no variant");
		const source = (variant: typeof full) => ({
			body: variant.bytes,
			size: variant.bytes.length,
			contentType: variant.contentType,
			originalName: webpName(upload.originalName, variant.size),
		});
		const stored = await filesService.store(
			{ ownerId, purpose: kind.purpose, ...subject, file: source(full) },
			{
				replaceExisting: true,
				variants: [{ purpose: kind.thumbnail, file: source(thumbnail) }],
				inTransaction: (tx, files) => announce(tx, pictureOf(files)),
			},
		);
		return pictureOf(stored);
	}

	/** Deletes the subject's picture (its thumbnail goes with it); whether it had one. */
	async function removePicture(tx: Transaction, kind: PictureKind, subjectId: number): Promise<boolean> {
		const deleted = await tx
			.delete(files)
			.where(and(eq(kind.column, subjectId), eq(files.purpose, kind.purpose), eq(files.state, "stored")))
			.returning({ id: files.id });
		return deleted.length > 0;
	}

	/** `character.updated` with the character as it now shows, to whoever hears of its changes. */
	async function characterChanged(tx: Transaction, character: OwnedCharacter, picture: Picture | null) {
		const audienceOf = await characterAudiences(tx, character.userId, [character.id]);
		await publishEvent(tx, {
			type: "character.updated",
			audience: audienceOf(character.id),
			data: { ...character, portrait: picture },
		});
	}

	/** `guild.updated` with the guild as it now shows, to its members. */
	async function guildChanged(tx: Transaction, guildId: number, picture: Picture | null) {
		const [guild] = await tx.select().from(guilds).where(eq(guilds.id, guildId));
		if (guild === undefined) return;
		await publishEvent(tx, {
			type: "guild.updated",
			audience: [rooms.guild(guildId)],
			data: { ...guild, emblem: picture },
		});
	}

	return {
		async portraitsOf(characterIds: readonly number[]): Promise<Map<number, Picture>> {
			return picturesOf(db, portrait, characterIds);
		},

		async portraitOf(characterId: number): Promise<Picture | null> {
			return (await picturesOf(db, portrait, [characterId])).get(characterId) ?? null;
		},

		async emblemOf(guildId: number): Promise<Picture | null> {
			return (await picturesOf(db, emblem, [guildId])).get(guildId) ?? null;
		},

		/** The portrait counts against the character's owner's quota (only the owner may set it). */
		setPortrait(character: OwnedCharacter, upload: UploadedFile): Promise<Picture> {
			return setPicture(portrait, { characterId: character.id }, character.userId, upload, (tx, picture) =>
				characterChanged(tx, character, picture),
			);
		},

		async removePortrait(character: OwnedCharacter): Promise<boolean> {
			return db.transaction(async (tx) => {
				const removed = await removePicture(tx, portrait, character.id);
				if (removed) await characterChanged(tx, character, null);
				return removed;
			});
		},

		/** The emblem counts against the quota of the member who uploads it. */
		setEmblem(guildId: number, uploaderId: number, upload: UploadedFile): Promise<Picture> {
			return setPicture(emblem, { guildId }, uploaderId, upload, (tx, picture) => guildChanged(tx, guildId, picture));
		},

		async removeEmblem(guildId: number): Promise<boolean> {
			return db.transaction(async (tx) => {
				const removed = await removePicture(tx, emblem, guildId);
				if (removed) await guildChanged(tx, guildId, null);
				return removed;
			});
		},
	};
}

export type PictureService = ReturnType<typeof createPictureService>;
