// The tenant cache's database reads: the guild a slug (current or previous) or an active custom domain names.
import { and, eq, gt, isNotNull, sql } from "drizzle-orm";
import type { Logger } from "pino";
import type { Executor } from "../db/index.js";
import { guildDomains, guildSlugHistory, guilds } from "../db/schema/index.js";
import { createTenantCache, type TenantCache, type TenantEntry, type TenantKey, type TenantLoader } from "./cache.js";
import type { TenancySettings } from "./settings.js";

/** One query per key: a current slug and a previous one are never both live, so at most one row comes back. */
export function createTenantLoader(db: Executor, now: () => Date): TenantLoader {
	return async (key: TenantKey): Promise<TenantEntry | null> => {
		const value = key.slice(2);
		if (key.startsWith("d:")) {
			const [row] = await db
				.select({ id: guilds.id, slug: guilds.slug })
				.from(guildDomains)
				.innerJoin(guilds, eq(guilds.id, guildDomains.guildId))
				.where(and(eq(guildDomains.domain, value), isNotNull(guildDomains.activatedAt)));
			return row ?? null;
		}
		const current = db
			.select({
				id: guilds.id,
				slug: guilds.slug,
				movedUntil: sql<Date | null>`null::timestamptz`.mapWith(guildSlugHistory.expiresAt).as("moved_until"),
			})
			.from(guilds)
			.where(eq(guilds.slug, value));
		const previous = db
			.select({ id: guilds.id, slug: guilds.slug, movedUntil: guildSlugHistory.expiresAt })
			.from(guildSlugHistory)
			.innerJoin(guilds, eq(guilds.id, guildSlugHistory.guildId))
			.where(and(eq(guildSlugHistory.slug, value), gt(guildSlugHistory.expiresAt, now())));
		const [row] = await current.unionAll(previous).orderBy(sql`moved_until nulls first`).limit(1);
		if (row === undefined) return null;
		return row.movedUntil === null ? { id: row.id, slug: row.slug } : { ...row, movedUntil: row.movedUntil };
	};
}

/** The tenant cache over these reads, on the app's clock (which ends slug redirects). */
export function createTenantTableCache(
	db: Executor,
	settings: TenancySettings,
	now: () => Date = () => new Date(),
	logger?: Logger,
): TenantCache {
	return createTenantCache({
		load: createTenantLoader(db, now),
		settings,
		now,
		logger: logger?.child({ component: "tenancy" }),
	});
}
