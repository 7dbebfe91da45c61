// A guild's address changed (slug, custom domain, deletion): every instance's tenant cache forgets what it knew of it.
import type { Logger } from "pino";
import { followChanges, type InvalidatedCache } from "../db/cache-invalidation.js";
import type { DatabaseHandle, Executor } from "../db/index.js";
import { notify } from "../db/notifications.js";

const channel = "dofus_manager_tenants_changed";

/** What changed: cache keys to drop (slugs, domains), and guilds whose every cached host must be resolved again. */
export interface TenantChange {
	readonly slugs?: readonly string[];
	readonly domains?: readonly string[];
	readonly guildIds?: readonly number[];
}

/** What the cache does with a change; both are cheap and may run on any instance at any time. */
export type TenantForgetter = InvalidatedCache<TenantChange>;

/** Tells every instance; inside a transaction, only once it commits (a rolled-back rename changes no one's cache). */
export async function announceTenantChange(executor: Executor, change: TenantChange): Promise<void> {
	await notify(executor, channel, JSON.stringify(change));
}

/** Makes `cache` forget whatever any process announces; resolves once listening (see followChanges). */
export function followTenantChanges(
	handle: DatabaseHandle,
	cache: TenantForgetter,
	logger?: Pick<Logger, "debug" | "warn">,
): Promise<() => Promise<void>> {
	return followChanges(handle, { channel, cacheName: "tenant cache", parse: parseChange }, cache, logger);
}

function parseChange(payload: string): TenantChange | null {
	try {
		const value: unknown = JSON.parse(payload);
		if (typeof value !== "object" || value === null) return null;
		const { slugs, domains, guildIds } = value as Record<string, unknown>;
		const strings = (list: unknown) => Array.isArray(list) && list.every((item) => typeof item === "string");
		if (slugs !== undefined && !strings(slugs)) return null;
		if (domains !== undefined && !strings(domains)) return null;
		if (guildIds !== undefined && !(Array.isArray(guildIds) && guildIds.every(Number.isInteger))) return null;
		return value as TenantChange;
	} catch {
		return null;
	}
}
