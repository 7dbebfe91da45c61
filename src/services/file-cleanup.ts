// The files part of the hourly clean-up: rows and objects that lost each other (a crash, a failed deletion, a storage
// changed by hand), removed once a grace period says no upload or deletion can still be under way.
import { and, asc, eq, gt, inArray, isNull, lt } from "drizzle-orm";
import type { Logger } from "pino";
import type { Database } from "../db/index.js";
import { files, uploadAttempts } from "../db/schema/index.js";
import type { ObjectStorage } from "../storage/index.js";
import type { FileDeletions } from "./file-deletions.js";
import { fileKeyFolder } from "./files.js";
import type { Clock } from "./settings.js";

/*
 * What each step is for:
 * - pending rows older than the grace period: an upload that crashed between reserving and storing (their deletion
 *   releases the quota and logs their objects);
 * - rows that belong to no one: a user's own files (imports) once the user is gone (`owner_id` set null);
 * - the deletion log: objects of deleted rows that a failed or missed drain left;
 * - objects with no row, older than the grace period: a crash between storing and the row's commit, or a lost claim
 *   of the deletion log;
 * - stored rows with no object, older than the grace period: bytes lost outside our code (a bucket or disk emptied by
 *   hand). Deleted only when few: if more than a tenth of the rows checked have lost their objects, the storage is
 *   more likely misconfigured (another bucket, an empty directory) than the files gone, and nothing is deleted.
 * The sweep lists the whole `files/` folder and keeps its keys in memory (about 100 bytes each: a million files,
 * 100 MB): enough for this application's pictures; a larger store would compare sorted listings instead.
 */

export interface FileCleanupCounts {
	pendingRows: number;
	ownerlessRows: number;
	uploadAttempts: number;
	deletedObjects: number;
	orphanObjects: number;
	missingObjectRows: number;
}

export interface FileCleanupPolicy {
	/** How old a pending row, an object with no row or a row with no object must be before it is removed. */
	graceMs: number;
	/** Keys per look-up, rows per deletion. */
	batchSize: number;
}

export const defaultFileCleanupPolicy: FileCleanupPolicy = { graceMs: 24 * 3600 * 1000, batchSize: 500 };

/** Upload attempts older than this count for nothing (the limit's window is a minute). */
const attemptRetentionMs = 60_000;

/** More missing objects than this share of the rows checked (and than `minimumSuspicious`) stops the step. */
const suspiciousShare = 0.1;
const minimumSuspicious = 10;

export function createFileCleanup({
	db,
	storage,
	deletions,
	now,
	logger,
	policy = defaultFileCleanupPolicy,
}: {
	db: Database;
	storage: ObjectStorage;
	deletions: FileDeletions;
	now: Clock;
	logger: Logger;
	policy?: FileCleanupPolicy;
}) {
	const cutoff = () => new Date(now().getTime() - policy.graceMs);

	/** Objects under `files/` with no row and older than the cut-off go; the keys listed are returned. */
	async function sweepObjects(signal: AbortSignal | undefined): Promise<{ listed: Set<string>; removed: number }> {
		const listed = new Set<string>();
		const before = cutoff().getTime();
		let removed = 0;
		let batch: { key: string; old: boolean }[] = [];
		const flush = async () => {
			signal?.throwIfAborted();
			const known = await db
				.select({ key: files.storageKey })
				.from(files)
				.where(
					inArray(
						files.storageKey,
						batch.map((object) => object.key),
					),
				);
			const kept = new Set(known.map((row) => row.key));
			const orphans = batch.filter((object) => object.old && !kept.has(object.key)).map((object) => object.key);
			for (const key of orphans) await storage.delete(key);
			removed += orphans.length;
			batch = [];
		};
		for await (const object of storage.list(`${fileKeyFolder}/`)) {
			listed.add(object.key);
			batch.push({ key: object.key, old: object.lastModified.getTime() < before });
			if (batch.length >= policy.batchSize) await flush();
		}
		if (batch.length > 0) await flush();
		return { listed, removed };
	}

	/** Stored rows older than the cut-off whose object was not listed (and is not there when asked again). */
	async function rowsWithoutObjects(listed: Set<string>, signal: AbortSignal | undefined): Promise<number> {
		const before = cutoff();
		const missing: string[] = [];
		let checked = 0;
		let after: string | undefined;
		for (;;) {
			signal?.throwIfAborted();
			const rows = await db
				.select({ id: files.id, key: files.storageKey })
				.from(files)
				.where(
					and(
						eq(files.state, "stored"),
						lt(files.createdAt, before),
						after === undefined ? undefined : gt(files.id, after),
					),
				)
				.orderBy(asc(files.id))
				.limit(policy.batchSize);
			checked += rows.length;
			for (const row of rows) if (!listed.has(row.key) && !(await storage.exists(row.key))) missing.push(row.id);
			if (rows.length < policy.batchSize) break;
			after = rows.at(-1)?.id;
		}
		if (missing.length === 0) return 0;
		if (missing.length > minimumSuspicious && missing.length > checked * suspiciousShare) {
			logger.error(
				{ missing: missing.length, checked },
				"many stored files have no object: is the storage the right one? nothing was deleted",
			);
			return 0;
		}
		let deleted = 0;
		for (let start = 0; start < missing.length; start += policy.batchSize) {
			const ids = missing.slice(start, start + policy.batchSize);
			deleted += (await db.delete(files).where(inArray(files.id, ids)).returning({ id: files.id })).length;
		}
		logger.warn({ deleted }, "deleted files whose objects were lost");
		return deleted;
	}

	return {
		/** Runs every step in turn; `onStep` is told each one's name before it starts. */
		async run(
			options: { signal?: AbortSignal; onStep?: (step: keyof FileCleanupCounts) => Promise<void> | void } = {},
		): Promise<FileCleanupCounts> {
			const { signal, onStep } = options;
			await onStep?.("pendingRows");
			const pendingRows = (
				await db
					.delete(files)
					.where(and(eq(files.state, "pending"), lt(files.createdAt, cutoff())))
					.returning({ id: files.id })
			).length;
			await onStep?.("ownerlessRows");
			const ownerlessRows = (
				await db
					.delete(files)
					.where(and(isNull(files.ownerId), isNull(files.guildId), isNull(files.characterId)))
					.returning({ id: files.id })
			).length;
			await onStep?.("uploadAttempts");
			const attempts = (
				await db
					.delete(uploadAttempts)
					.where(lt(uploadAttempts.attemptedAt, new Date(now().getTime() - attemptRetentionMs)))
					.returning({ id: uploadAttempts.id })
			).length;
			await onStep?.("deletedObjects");
			const deletedObjects = await deletions.drain(signal);
			await onStep?.("orphanObjects");
			const sweep = await sweepObjects(signal);
			await onStep?.("missingObjectRows");
			const missingObjectRows = await rowsWithoutObjects(sweep.listed, signal);
			return {
				pendingRows,
				ownerlessRows,
				uploadAttempts: attempts,
				deletedObjects,
				orphanObjects: sweep.removed,
				missingObjectRows,
			};
		},
	};
}

export type FileCleanup = ReturnType<typeof createFileCleanup>;
