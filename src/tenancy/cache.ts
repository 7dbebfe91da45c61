// The tenant cache: which guild a slug or a custom domain names, in process, with a TTL, shared misses and invalidation.
import { LRUCache } from "lru-cache";
import type { Logger } from "pino";
import type { TenantChange, TenantForgetter } from "./changes.js";
import type { TenancySettings } from "./settings.js";

/** `s:<slug>` (a subdomain or X-Guild) or `d:<domain>` (a custom domain). */
export type TenantKey = `s:${string}` | `d:${string}`;

export const slugKey = (slug: string): TenantKey => `s:${slug}`;
export const domainKey = (domain: string): TenantKey => `d:${domain}`;

/** The guild a key names: its id and current slug; `movedUntil` when the key is a previous slug that still redirects. */
export interface TenantEntry {
	readonly id: number;
	readonly slug: string;
	readonly movedUntil?: Date | undefined;
}

/** Reads the database for one key: the guild, or null when the key names none (unknown, inactive, expired). */
export type TenantLoader = (key: TenantKey) => Promise<TenantEntry | null>;

export interface TenantCacheStats {
	/** Answers from the cache: a guild, or a remembered unknown. */
	hits: number;
	negativeHits: number;
	/** Database lookups started (one per key however many requests missed it at once). */
	misses: number;
	/** Requests that missed while a lookup of the same key was under way, and waited for it. */
	sharedMisses: number;
	invalidations: number;
	entries: number;
	negativeEntries: number;
	/** How long the lookups took, in milliseconds. */
	lookupMs: { total: number; max: number };
}

export interface TenantCache extends TenantForgetter {
	/** The guild `key` names, or null: synchronous when cached, otherwise the (shared) lookup. */
	get(key: TenantKey): TenantEntry | null | Promise<TenantEntry | null>;
	stats(): TenantCacheStats;
}

export interface TenantCacheOptions {
	load: TenantLoader;
	settings: Pick<TenancySettings, "cacheTtlMs" | "negativeTtlMs" | "cacheMaxEntries">;
	/** The app's clock, which decides when a previous slug stops redirecting. */
	now: () => Date;
	logger?: Pick<Logger, "debug" | "isLevelEnabled">;
}

export function createTenantCache({ load, settings, now, logger }: TenantCacheOptions): TenantCache {
	const known = new LRUCache<TenantKey, TenantEntry>({ max: settings.cacheMaxEntries, ttl: settings.cacheTtlMs });
	// Unknown hosts apart: a flood of made-up hosts evicts other unknown hosts, never a guild's.
	const unknown = new LRUCache<TenantKey, true>({ max: settings.cacheMaxEntries, ttl: settings.negativeTtlMs });
	const pending = new Map<TenantKey, Promise<TenantEntry | null>>();
	// Bumped by every invalidation: a lookup that started before it may have read the old state, so it is not stored.
	let generation = 0;
	const counts = { hits: 0, negativeHits: 0, misses: 0, sharedMisses: 0, invalidations: 0 };
	const lookupMs = { total: 0, max: 0 };
	const debug = logger?.isLevelEnabled("debug") === true ? logger : undefined;

	function lookUp(key: TenantKey): Promise<TenantEntry | null> {
		counts.misses++;
		const started = generation;
		const startedAt = performance.now();
		const lookup = load(key)
			.then((entry) => {
				const ms = performance.now() - startedAt;
				lookupMs.total += ms;
				if (ms > lookupMs.max) lookupMs.max = ms;
				if (started === generation) {
					if (entry === null) unknown.set(key, true);
					else known.set(key, entry);
				}
				debug?.debug({ key, guildId: entry?.id ?? null, ms: Math.round(ms * 100) / 100 }, "tenant looked up");
				return entry;
			})
			.finally(() => {
				if (pending.get(key) === lookup) pending.delete(key);
			});
		pending.set(key, lookup);
		return lookup;
	}

	return {
		get(key) {
			const entry = known.get(key);
			if (entry !== undefined) {
				if (entry.movedUntil === undefined || entry.movedUntil > now()) {
					counts.hits++;
					return entry;
				}
				known.delete(key);
			} else if (unknown.get(key) === true) {
				counts.negativeHits++;
				return null;
			}
			const shared = pending.get(key);
			if (shared !== undefined) {
				counts.sharedMisses++;
				return shared;
			}
			return lookUp(key);
		},

		forget(change: TenantChange) {
			generation++;
			counts.invalidations++;
			// Lookups under way may have read the state before the change: later requests start their own.
			pending.clear();
			const keys = [...(change.slugs ?? []).map(slugKey), ...(change.domains ?? []).map(domainKey)];
			if (change.guildIds !== undefined && change.guildIds.length > 0) {
				const guildIds = new Set(change.guildIds);
				for (const [key, entry] of known.entries()) if (guildIds.has(entry.id)) keys.push(key);
			}
			for (const key of keys) {
				known.delete(key);
				unknown.delete(key);
			}
		},

		clear() {
			generation++;
			counts.invalidations++;
			pending.clear();
			known.clear();
			unknown.clear();
		},

		stats: () => ({
			...counts,
			entries: known.size,
			negativeEntries: unknown.size,
			lookupMs: { ...lookupMs },
		}),
	};
}
