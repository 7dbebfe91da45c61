// Deleting the objects of deleted files: the `file_deletions` log, drained after each commit that wrote to it (woken by
// its NOTIFY) and by the hourly clean-up, so that no object outlives its row for long.
import { asc, inArray, sql } from "drizzle-orm";
import type { Logger } from "pino";
import type { Database, DatabaseHandle } from "../db/index.js";
import { listen } from "../db/notifications.js";
import { fileDeletions } from "../db/schema/index.js";
import type { ObjectStorage } from "../storage/index.js";

/*
 * Why a log written by a trigger and objects deleted after the commit, rather than either of the alternatives:
 * - deleting objects inside the deleting transaction would lose the bytes of a deletion that then rolls back (a
 *   portrait shown broken for ever);
 * - leaving them to the clean-up's sweep of objects without rows would keep a deleted user's portraits in the storage
 *   for up to a grace period plus an hour, and the sweep lists the whole storage: a net for what slipped through, not
 *   the way deletions are done.
 * The trigger (migration 0010) catches every way a row goes: direct deletions, replaced portraits, and cascades from a
 * character, a game account, a guild or a user, none of which has to know about files.
 * A batch is claimed by deleting its lines (`for update skip locked`: instances draining at once share the work); keys
 * whose object could not be deleted are logged again. A process killed between the claim and the deletions loses
 * those lines: the objects then have no row, and the clean-up's sweep removes them after its grace period.
 */

/** The channel the trigger notifies on commit. */
export const fileDeletionsChannel = "file_deletions";

export function createFileDeletions({
	db,
	storage,
	logger,
	batchSize = 100,
}: {
	db: Database;
	storage: ObjectStorage;
	logger: Logger;
	batchSize?: number;
}) {
	let running: Promise<number> | undefined;
	let again = false;

	/** One batch: claimed, deleted from the storage, failures logged again. How many objects were deleted. */
	async function batch(): Promise<{ claimed: number; deleted: number }> {
		const claimable = db
			.select({ id: fileDeletions.id })
			.from(fileDeletions)
			.orderBy(asc(fileDeletions.id))
			.limit(batchSize)
			.for("update", { skipLocked: true });
		const claimed = await db
			.delete(fileDeletions)
			.where(inArray(fileDeletions.id, claimable))
			.returning({ storageKey: fileDeletions.storageKey });
		const keys = [...new Set(claimed.map((row) => row.storageKey))];
		const results = await Promise.allSettled(keys.map((key) => storage.delete(key)));
		const failed = keys.filter((_, index) => results[index]?.status === "rejected");
		if (failed.length > 0) {
			const reason = (results.find((result) => result.status === "rejected") as PromiseRejectedResult).reason;
			await db.insert(fileDeletions).values(failed.map((storageKey) => ({ storageKey })));
			logger.warn({ err: reason, failed: failed.length }, "objects of deleted files kept for a later try");
			throw reason;
		}
		return { claimed: claimed.length, deleted: keys.length };
	}

	/** Until the log is empty, or a batch fails (the storage is down: the lines wait for the next drain). */
	async function drainAll(signal?: AbortSignal): Promise<number> {
		let deleted = 0;
		for (;;) {
			signal?.throwIfAborted();
			const done = await batch();
			deleted += done.deleted;
			if (done.claimed < batchSize) return deleted;
		}
	}

	return {
		/**
		 * Deletes the objects of every logged deletion; resolves with how many. Calls made while a drain runs join it
		 * (and make it go round once more, for lines written meanwhile). Rejects when the storage fails.
		 */
		drain(signal?: AbortSignal): Promise<number> {
			if (running !== undefined) {
				again = true;
				return running;
			}
			running = (async () => {
				let deleted = 0;
				try {
					do {
						again = false;
						deleted += await drainAll(signal);
					} while (again);
					return deleted;
				} finally {
					running = undefined;
				}
			})();
			return running;
		},

		/** Lines waiting: deletions whose objects are still in the storage (or being deleted). */
		async backlog(): Promise<number> {
			const [row] = await db.select({ count: sql<number>`count(*)`.mapWith(Number) }).from(fileDeletions);
			return row?.count ?? 0;
		},
	};
}

export type FileDeletions = ReturnType<typeof createFileDeletions>;

/**
 * Drains the log whenever a deletion commits (on any instance: the trigger's NOTIFY), once at start for what was
 * logged while no one listened, and after a lost connection. Failures are logged; the lines wait for the next drain.
 * Resolves with the function that stops listening (and waits for a drain under way).
 */
export async function followFileDeletions(
	handle: DatabaseHandle,
	deletions: FileDeletions,
	logger: Logger,
): Promise<() => Promise<void>> {
	let last: Promise<unknown> = Promise.resolve();
	const drain = () => {
		last = deletions.drain().catch((error: unknown) => {
			logger.warn({ err: error }, "deleting the objects of deleted files failed; the clean-up will try again");
		});
	};
	const stop = await listen(handle, fileDeletionsChannel, drain, { onReconnect: drain });
	drain();
	return async () => {
		await stop();
		await last;
	};
}
