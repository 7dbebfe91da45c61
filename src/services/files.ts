// The files service: stores bytes under a row of `files` (quota reserved first), finds, opens, signs and removes them.
// Every use of uploads (portraits, emblems, imports) goes through it; routes decide who may read what.
import { createHash } from "node:crypto";
import { Readable } from "node:stream";
import { and, eq, inArray, isNull, ne, type SQL } from "drizzle-orm";
import { UploadedFile } from "../core/index.js";
import type { Database, Transaction } from "../db/index.js";
import { characters, type FilePurpose, files, guilds, users } from "../db/schema/index.js";
import { type ByteRange, newObjectKey, type ObjectStorage, type StoredObject } from "../storage/index.js";
import type { UploadQuota } from "./quota.js";

/*
 * How a file is stored, and why in this order:
 * 1. one transaction reserves the quota (quota.ts) and inserts the rows `pending`: the bytes are counted before they
 *    are stored, so parallel uploads cannot both pass the quota;
 * 2. the bytes go to the storage (never inside a transaction: an upload to S3 may take seconds);
 * 3. one transaction marks the rows `stored`, with whatever the caller attaches (`inTransaction`: replacing a
 *    portrait, publishing its event).
 * Any failure after 1 deletes the pending rows, which releases the quota; the deletion trigger logs their keys, and
 * file-deletions.ts removes whatever part of the object the storage may have kept. A crash leaves pending rows, which
 * the clean-up removes after its grace period (file-orphans.ts). Nothing reads a pending row.
 */

/** The folder of every object key of a file (`files/<uuid>`); the clean-up lists it. */
export const fileKeyFolder = "files";

export type FileRecord = typeof files.$inferSelect;

/** Bytes to store: an upload (its detected type, size and digest are used as they are), or bytes from elsewhere. */
export type FileSource =
	| UploadedFile
	| {
			body: Readable | Buffer;
			/** Exact: counted against the quota before the bytes are read, and checked by the storage while they are. */
			size: number;
			/** The type the bytes are; never a client's say-so, which is what UploadedFile.detectedType is for. */
			contentType: string;
			originalName: string;
			/** Lower-case hex, when known; computed while storing otherwise. */
			sha256?: string;
	  };

export interface StoreInput {
	/** Whose quota it counts against; who may read it when it belongs to no character or guild. */
	ownerId: number;
	purpose: FilePurpose;
	/** The guild whose file it is (an emblem). */
	guildId?: number | null;
	/** The character whose file it is (a portrait). */
	characterId?: number | null;
	file: FileSource;
}

export interface StoreOptions {
	/**
	 * The subject (character, guild, or owner when neither) holds one file of this purpose: the stored one of it, if
	 * any, is deleted with its variants in the transaction that swaps this one in. Replacements of one subject take
	 * turns under its row lock; the last to commit wins.
	 */
	replaceExisting?: boolean;
	/** Smaller versions stored with it (a thumbnail): same owner and subject, gone with it; counted in the same reservation. */
	variants?: readonly { purpose: FilePurpose; file: FileSource }[];
	/**
	 * Runs in the transaction that marks the files stored, e.g. to swap them in for the ones they replace. If it
	 * throws, the files are removed and the error goes on.
	 */
	inTransaction?: (tx: Transaction, stored: StoredFiles) => Promise<void>;
}

/** The character or guild the file was for was deleted while its bytes were being stored: nothing is kept. */
export class FileSubjectGoneError extends Error {
	constructor(readonly fileId: string) {
		super(`the subject of file ${fileId} was deleted while it was being stored`);
		this.name = "FileSubjectGoneError";
	}
}

/** The file stored, and its variants in the order given. */
export interface StoredFiles {
	file: FileRecord;
	variants: FileRecord[];
}

interface Prepared {
	body: Readable;
	size: number;
	contentType: string;
	originalName: string;
	sha256: string | undefined;
}

function prepare(source: FileSource): Prepared {
	if (source instanceof UploadedFile)
		return {
			body: source.stream(),
			size: source.size,
			contentType: source.detectedType,
			originalName: source.originalName,
			sha256: source.sha256,
		};
	if (Buffer.isBuffer(source.body))
		return {
			body: Readable.from([source.body]),
			size: source.body.length,
			contentType: source.contentType,
			originalName: source.originalName,
			sha256: source.sha256 ?? createHash("sha256").update(source.body).digest("hex"),
		};
	return {
		body: source.body,
		size: source.size,
		contentType: source.contentType,
		originalName: source.originalName,
		sha256: source.sha256,
	};
}

/** Names are the client's: kept for Content-Disposition only, without control characters and at most 255 characters. */
function storableName(name: string): string {
	// biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point.
	const cleaned = name.replace(/[\u0000-\u001f\u007f]/g, "").slice(0, 255);
	return cleaned === "" ? "file" : cleaned;
}

interface Subject {
	ownerId: number;
	guildId: number | null;
	characterId: number | null;
}

/** A file's subject: its character, else its guild, else its owner alone. */
function subjectIs(subject: Subject): SQL | undefined {
	if (subject.characterId !== null) return eq(files.characterId, subject.characterId);
	if (subject.guildId !== null) return eq(files.guildId, subject.guildId);
	return and(eq(files.ownerId, subject.ownerId), isNull(files.characterId), isNull(files.guildId));
}

/** The subject's own row, locked until the transaction ends (`no key update`: foreign-key checks do not wait). */
async function lockSubject(tx: Transaction, subject: Subject): Promise<void> {
	if (subject.characterId !== null)
		await tx
			.select({ id: characters.id })
			.from(characters)
			.where(eq(characters.id, subject.characterId))
			.for("no key update");
	else if (subject.guildId !== null)
		await tx.select({ id: guilds.id }).from(guilds).where(eq(guilds.id, subject.guildId)).for("no key update");
	else await tx.select({ id: users.id }).from(users).where(eq(users.id, subject.ownerId)).for("no key update");
}

export interface FileServiceDependencies {
	db: Database;
	storage: ObjectStorage;
	quota: UploadQuota;
	/** Lifetime of download URLs (SIGNED_URL_TTL_SECONDS). */
	urlSeconds: number;
}

export function createFileService({ db, storage, quota, urlSeconds }: FileServiceDependencies) {
	/** Deletes rows still pending (a failed store): the quota is released at once, the objects by the deletion log. */
	async function discardPending(ids: readonly string[]): Promise<void> {
		await db.delete(files).where(and(inArray(files.id, [...ids]), eq(files.state, "pending")));
	}

	/** A stored file by id (pending ones are not files yet). */
	async function find(fileId: string): Promise<FileRecord | undefined> {
		const [row] = await db
			.select()
			.from(files)
			.where(and(eq(files.id, fileId), eq(files.state, "stored")));
		return row;
	}

	return {
		storage,
		quota,
		find,

		/**
		 * Stores `input.file` (and `options.variants`) and returns their rows once stored. Throws `QuotaExceededError`
		 * before reading a byte when they do not fit the owner's quota, `StorageUnavailableError` when the storage is
		 * down (nothing is kept), or whatever the source or `inTransaction` threw.
		 */
		async store(input: StoreInput, options: StoreOptions = {}): Promise<StoredFiles> {
			const items = [
				{ purpose: input.purpose, source: prepare(input.file) },
				...(options.variants ?? []).map((variant) => ({ purpose: variant.purpose, source: prepare(variant.file) })),
			];
			const subject = {
				ownerId: input.ownerId,
				guildId: input.guildId ?? null,
				characterId: input.characterId ?? null,
			};
			const rowOf = (item: (typeof items)[number], variantOf: string | null) => ({
				...subject,
				variantOf,
				purpose: item.purpose,
				state: "pending" as const,
				storageKey: newObjectKey(fileKeyFolder),
				contentType: item.source.contentType,
				size: item.source.size,
				sha256: item.source.sha256 ?? null,
				originalName: storableName(item.source.originalName),
			});

			let pending: FileRecord[];
			try {
				pending = await db.transaction(async (tx) => {
					const total = items.reduce((sum, item) => sum + item.source.size, 0);
					await quota.reserve(tx, input.ownerId, total);
					const [main, ...rest] = items;
					if (main === undefined) throw new Error("nothing to store");
					const [first] = await tx.insert(files).values(rowOf(main, null)).returning();
					if (first === undefined) throw new Error("file insert returned no row");
					const variants =
						rest.length === 0
							? []
							: await tx
									.insert(files)
									.values(rest.map((item) => rowOf(item, first.id)))
									.returning();
					return [first, ...variants];
				});
			} catch (error) {
				for (const item of items) item.source.body.destroy();
				throw error;
			}

			const ids = pending.map((row) => row.id);
			try {
				// Settled, not raced: a put still running when another failed would store an object after its row is gone.
				const puts = await Promise.allSettled(
					pending.map((row, index) => {
						const source = (items[index] as (typeof items)[number]).source;
						return storage.put(row.storageKey, source.body, {
							contentType: row.contentType,
							size: row.size,
							...(source.sha256 === undefined ? {} : { sha256: source.sha256 }),
						});
					}),
				);
				const failed = puts.find((put) => put.status === "rejected");
				if (failed !== undefined) throw failed.reason;
				const digests = puts.map((put) => (put as PromiseFulfilledResult<{ sha256: string }>).value.sha256);
				return await db.transaction(async (tx) => {
					if (options.replaceExisting) {
						const [main] = pending as [FileRecord];
						await lockSubject(tx, subject);
						await tx
							.delete(files)
							.where(
								and(
									eq(files.purpose, main.purpose),
									eq(files.state, "stored"),
									ne(files.id, main.id),
									subjectIs(subject),
								),
							);
					}
					const stored: FileRecord[] = [];
					for (const [index, row] of pending.entries()) {
						const [marked] = await tx
							.update(files)
							.set({ state: "stored", sha256: digests[index] as string })
							.where(and(eq(files.id, row.id), eq(files.state, "pending")))
							.returning();
						// Gone by cascade (its character or guild was deleted meanwhile), or by the clean-up of pending rows
						// after its grace period: either way there is nothing to keep.
						if (marked === undefined) throw new FileSubjectGoneError(row.id);
						stored.push(marked);
					}
					const [file, ...variants] = stored as [FileRecord, ...FileRecord[]];
					const result = { file, variants };
					await options.inTransaction?.(tx, result);
					return result;
				});
			} catch (error) {
				for (const item of items) item.source.body.destroy();
				await discardPending(ids).catch(() => undefined);
				throw error;
			}
		},

		/** The stored file whose object is at `storageKey`: what a signed URL serves, while the file exists. */
		async findByKey(storageKey: string): Promise<FileRecord | undefined> {
			const [row] = await db
				.select()
				.from(files)
				.where(and(eq(files.storageKey, storageKey), eq(files.state, "stored")));
			return row;
		},

		/** The file and its bytes (a range of them when asked); `undefined` for no such stored file. */
		async open(
			fileId: string,
			options: { range?: ByteRange } = {},
		): Promise<{ file: FileRecord; object: StoredObject } | undefined> {
			const file = await find(fileId);
			if (file === undefined) return undefined;
			return { file, object: await storage.get(file.storageKey, options) };
		},

		/**
		 * Deletes the file and its variants; their objects go after the commit (file-deletions.ts). Inside `executor`'s
		 * transaction when given. Whether there was such a file.
		 */
		async remove(fileId: string, executor: Database | Transaction = db): Promise<boolean> {
			const deleted = await executor.delete(files).where(eq(files.id, fileId)).returning({ id: files.id });
			return deleted.length > 0;
		},

		/**
		 * A URL serving the file until it expires (SIGNED_URL_TTL_SECONDS): presigned for S3, our signed
		 * `/api/files/content/…` for the filesystem. Its type is the detected one; its name the upload's.
		 */
		signedUrl(file: FileRecord, disposition: "inline" | "attachment" = "inline"): Promise<string> {
			return storage.signedUrl(file.storageKey, {
				contentType: file.contentType,
				disposition,
				downloadName: file.originalName,
				expiresInSeconds: urlSeconds,
			});
		},

		urlSeconds,
	};
}

export type FileService = ReturnType<typeof createFileService>;

/** Where a file is downloaded from: the route that checks the reader's rights, then redirects to a signed URL. */
export function fileUrl(fileId: string): string {
	return `/api/files/${fileId}`;
}
