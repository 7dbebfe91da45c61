// The upload rate limit: uploads one user may start per minute (UPLOADS_PER_MINUTE), counted in the database.
import { and, asc, count, eq, gt, lte } from "drizzle-orm";
import type { Database } from "../db/index.js";
import { uploadAttempts, users } from "../db/schema/index.js";
import type { Clock } from "./settings.js";

/*
 * In the database, like the login throttle (login-throttle.ts): every instance behind a load balancer counts the same
 * uploads, and a restart does not reset them. The check and the count are one transaction under the user's row lock,
 * so parallel uploads of one user cannot all read "19 of 20" and all go: the limit is exact.
 * An attempt counts when it is allowed, before its body is read, whatever becomes of it (refused type, quota, abort):
 * what the limit protects is the server's work, which a refused upload costs as well.
 */

export type UploadDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number };

const windowMs = 60_000;

export function createUploadRateLimit(db: Database, perMinute: number, now: Clock) {
	return {
		perMinute,

		/** Counts an upload of `userId` if the window has room for it; otherwise says when it will. */
		async attempt(userId: number): Promise<UploadDecision> {
			return db.transaction(async (tx): Promise<UploadDecision> => {
				const at = now();
				const since = new Date(at.getTime() - windowMs);
				await tx.select({ id: users.id }).from(users).where(eq(users.id, userId)).for("no key update");
				const recent = and(eq(uploadAttempts.userId, userId), gt(uploadAttempts.attemptedAt, since));
				const [row] = await tx.select({ attempts: count() }).from(uploadAttempts).where(recent);
				if ((row?.attempts ?? 0) >= perMinute) {
					const [oldest] = await tx
						.select({ at: uploadAttempts.attemptedAt })
						.from(uploadAttempts)
						.where(recent)
						.orderBy(asc(uploadAttempts.attemptedAt))
						.limit(1);
					const freedAt = (oldest?.at.getTime() ?? at.getTime()) + windowMs;
					return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((freedAt - at.getTime()) / 1000)) };
				}
				await tx.insert(uploadAttempts).values({ userId, attemptedAt: at });
				// Rows past the window count for nothing: this user's go as they come, so the table stays small.
				await tx
					.delete(uploadAttempts)
					.where(and(eq(uploadAttempts.userId, userId), lte(uploadAttempts.attemptedAt, since)));
				return { allowed: true };
			});
		},
	};
}

export type UploadRateLimit = ReturnType<typeof createUploadRateLimit>;
