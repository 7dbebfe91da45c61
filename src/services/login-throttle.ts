// Login throttling: failed attempts per email and per IP over a sliding window, counted in the database.
import { and, asc, count, eq, gt, lt, or } from "drizzle-orm";
import type { Database } from "../db/index.js";
import { loginAttempts } from "../db/schema/index.js";
import type { Clock, IdentitySettings } from "./settings.js";

/*
 * Why the database and not an in-memory window: every instance behind a load balancer must count the
 * same failures (an attacker would otherwise get N × the limit), and a restart must not reset the count.
 * The cost is one indexed count per login, which is small next to the scrypt verification.
 */

export type ThrottleDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number };

export function createLoginThrottle(db: Database, settings: IdentitySettings, now: Clock) {
	const windowStart = () => new Date(now().getTime() - settings.loginWindowMs);

	/** Seconds until the oldest failure that counts leaves the window, freeing one attempt. */
	async function retryAfter(where: ReturnType<typeof and>): Promise<number> {
		const [oldest] = await db
			.select({ at: loginAttempts.attemptedAt })
			.from(loginAttempts)
			.where(where)
			.orderBy(asc(loginAttempts.attemptedAt))
			.limit(1);
		const freedAt = (oldest?.at.getTime() ?? now().getTime()) + settings.loginWindowMs;
		return Math.max(1, Math.ceil((freedAt - now().getTime()) / 1000));
	}

	return {
		/** Refuses once an email or an IP reached the limit of failures in the window, whether or not the account exists. */
		async check(email: string, ip: string | undefined): Promise<ThrottleDecision> {
			const since = windowStart();
			for (const scope of [eq(loginAttempts.email, email), ip === undefined ? undefined : eq(loginAttempts.ip, ip)]) {
				if (scope === undefined) continue;
				const where = and(scope, gt(loginAttempts.attemptedAt, since));
				const [row] = await db.select({ failures: count() }).from(loginAttempts).where(where);
				if ((row?.failures ?? 0) >= settings.loginMaxFailures)
					return { allowed: false, retryAfterSeconds: await retryAfter(where) };
			}
			return { allowed: true };
		},

		async recordFailure(email: string, ip: string | undefined): Promise<void> {
			const at = now();
			await db.insert(loginAttempts).values({ email, ip: ip ?? null, attemptedAt: at });
			// Rows past the window are useless: prune this email's and IP's as we go, so the table stays small.
			const old = new Date(at.getTime() - settings.loginWindowMs);
			await db
				.delete(loginAttempts)
				.where(
					and(
						lt(loginAttempts.attemptedAt, old),
						or(eq(loginAttempts.email, email), ip === undefined ? undefined : eq(loginAttempts.ip, ip)),
					),
				);
		},

		/** A successful login forgives the account's failures (not the IP's: one good password must not unlock guessing others). */
		async clear(email: string): Promise<void> {
			await db.delete(loginAttempts).where(eq(loginAttempts.email, email));
		},
	};
}

export type LoginThrottle = ReturnType<typeof createLoginThrottle>;
