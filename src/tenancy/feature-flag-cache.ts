// The feature flag cache: every flag and every guild's override, read in one go, held in process until a change.
import type { Executor } from "../db/index.js";
import { featureFlags, guildFeatureFlags } from "../db/schema/index.js";
import { type KnownFlag, knownFlags } from "./feature-flag-catalog.js";
import type { FlagForgetter } from "./feature-flag-changes.js";

/** Every flag (the catalog's and the table's) and each guild's own values. */
export interface FlagSnapshot {
	readonly flags: ReadonlyMap<string, { readonly description: string; readonly enabled: boolean }>;
	readonly overrides: ReadonlyMap<number, ReadonlyMap<string, boolean>>;
}

export interface FlagCacheStats {
	hits: number;
	/** Snapshots read from the database (one per miss, however many requests missed at once). */
	loads: number;
	invalidations: number;
}

export interface FeatureFlagCache extends FlagForgetter {
	/** Synchronous when cached (nearly always), otherwise the (shared) read. */
	snapshot(): FlagSnapshot | Promise<FlagSnapshot>;
	stats(): FlagCacheStats;
}

export interface FeatureFlagCacheOptions {
	db: Executor;
	/** A snapshot older than this is read again, even if no change was heard (a lost notification heals by then). */
	ttlMs: number;
	catalog?: Readonly<Record<string, KnownFlag>>;
}

/**
 * Flags are few and overrides are set by hand: the whole table fits in memory, and one snapshot answers every guild.
 * A change anywhere empties it (`clear`), on this instance at once and on the others through the notification.
 */
export function createFeatureFlagCache({ db, ttlMs, catalog = knownFlags }: FeatureFlagCacheOptions): FeatureFlagCache {
	let cached: { snapshot: FlagSnapshot; expiresAt: number } | undefined;
	let pending: Promise<FlagSnapshot> | undefined;
	// Bumped by every invalidation: a read that started before it may hold the old values, so it is not kept.
	let generation = 0;
	const counts: FlagCacheStats = { hits: 0, loads: 0, invalidations: 0 };

	async function read(): Promise<FlagSnapshot> {
		const [rows, overrideRows] = await Promise.all([
			db
				.select({ name: featureFlags.name, description: featureFlags.description, enabled: featureFlags.enabled })
				.from(featureFlags),
			db
				.select({
					guildId: guildFeatureFlags.guildId,
					name: guildFeatureFlags.flagName,
					enabled: guildFeatureFlags.enabled,
				})
				.from(guildFeatureFlags),
		]);
		const flags = new Map(Object.entries(catalog).map(([name, flag]) => [name, { ...flag }]));
		for (const row of rows) flags.set(row.name, { description: row.description, enabled: row.enabled });
		const overrides = new Map<number, Map<string, boolean>>();
		for (const row of overrideRows) {
			let values = overrides.get(row.guildId);
			if (values === undefined) {
				values = new Map();
				overrides.set(row.guildId, values);
			}
			values.set(row.name, row.enabled);
		}
		return { flags, overrides };
	}

	function load(): Promise<FlagSnapshot> {
		counts.loads++;
		const started = generation;
		const loading = read()
			.then((snapshot) => {
				if (started === generation) cached = { snapshot, expiresAt: performance.now() + ttlMs };
				return snapshot;
			})
			.finally(() => {
				if (pending === loading) pending = undefined;
			});
		pending = loading;
		return loading;
	}

	return {
		snapshot() {
			if (cached !== undefined && cached.expiresAt > performance.now()) {
				counts.hits++;
				return cached.snapshot;
			}
			return pending ?? load();
		},
		clear() {
			generation++;
			counts.invalidations++;
			cached = undefined;
			pending = undefined;
		},
		stats: () => ({ ...counts }),
	};
}

/** A flag's value for a guild (its override, else the global value), or where there is no guild; unknown flags are off. */
export function flagEnabled(snapshot: FlagSnapshot, name: string, guildId: number | null): boolean {
	const override = guildId === null ? undefined : snapshot.overrides.get(guildId)?.get(name);
	return override ?? snapshot.flags.get(name)?.enabled ?? false;
}

/** Every flag's value for a guild (or where there is no guild), by name. */
export function effectiveFlags(snapshot: FlagSnapshot, guildId: number | null): Record<string, boolean> {
	const values: Record<string, boolean> = {};
	for (const name of [...snapshot.flags.keys()].sort()) values[name] = flagEnabled(snapshot, name, guildId);
	return values;
}
