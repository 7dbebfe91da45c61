// Upload quotas: the bytes of every file a user owns (stored or being stored) may not pass UPLOAD_QUOTA_BYTES.
import { eq, sql } from "drizzle-orm";
import type { Executor } from "../db/index.js";
import { files, users } from "../db/schema/index.js";

/*
 * Why a sum under a lock rather than a running counter (`used = used + size where used + size <= quota`): a counter
 * must be decremented by every deletion, and files go by cascade (a character, a game account, a guild deleted) where
 * no code of ours runs; the figure would drift. The sum is of the rows themselves, so it is right whatever deleted
 * them, and the user's row lock (`for no key update`, which foreign-key checks do not wait for) makes two uploads of
 * one user take turns: the second sees the first's pending row and is refused if both do not fit. One indexed sum
 * over a user's few files per upload is cheap next to storing the bytes.
 */

/** Reserving `requestedBytes` would take the user past the quota: nothing was reserved. */
export class QuotaExceededError extends Error {
	constructor(
		readonly quotaBytes: number,
		readonly usedBytes: number,
		readonly requestedBytes: number,
	) {
		super(`${requestedBytes} bytes more would take ${usedBytes} of ${quotaBytes} bytes past the quota`);
		this.name = "QuotaExceededError";
	}
}

export interface QuotaUsage {
	usedBytes: number;
	quotaBytes: number;
}

export function createUploadQuota(quotaBytes: number) {
	/** What `ownerId`'s files take, pending ones included. */
	async function used(executor: Executor, ownerId: number): Promise<number> {
		const [row] = await executor
			.select({ used: sql<number>`coalesce(sum(${files.size}), 0)`.mapWith(Number) })
			.from(files)
			.where(eq(files.ownerId, ownerId));
		return row?.used ?? 0;
	}

	return {
		quotaBytes,

		/**
		 * Inside the transaction that inserts the rows of `requestedBytes`: locks the user, then throws
		 * `QuotaExceededError` unless the bytes fit. The lock is held until that transaction ends, so the rows it
		 * inserts are counted by the next upload of the same user.
		 */
		async reserve(tx: Executor, ownerId: number, requestedBytes: number): Promise<void> {
			await tx.select({ id: users.id }).from(users).where(eq(users.id, ownerId)).for("no key update");
			const usedBytes = await used(tx, ownerId);
			if (usedBytes + requestedBytes > quotaBytes) throw new QuotaExceededError(quotaBytes, usedBytes, requestedBytes);
		},

		async usage(executor: Executor, ownerId: number): Promise<QuotaUsage> {
			return { usedBytes: await used(executor, ownerId), quotaBytes };
		},
	};
}

export type UploadQuota = ReturnType<typeof createUploadQuota>;
