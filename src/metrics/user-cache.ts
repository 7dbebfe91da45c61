// The per-user cache's figures by view (characters page, teams): hits, misses, invalidations, entries.
import type { Registry } from "prom-client";
import type { UserCache, UserViewStats } from "../services/user-cache.js";
import { registerCollected, type Sample } from "./collected.js";

export function recordUserCacheMetrics(registry: Registry, cache: Pick<UserCache, "stats">): void {
	const each = (read: (stats: UserViewStats) => number): Sample[] =>
		Object.entries(cache.stats()).map(([view, stats]) => ({ labels: { view }, value: read(stats) }));
	registerCollected(registry, {
		name: "dofus_manager_user_cache_reads_total",
		help: "Reads of the per-user cache, by view and result: hit, miss (a database read started), shared_miss (waited for one under way).",
		type: "counter",
		collect: () =>
			Object.entries(cache.stats()).flatMap(([view, stats]) => [
				{ labels: { view, result: "hit" }, value: stats.hits },
				{ labels: { view, result: "miss" }, value: stats.misses },
				{ labels: { view, result: "shared_miss" }, value: stats.sharedMisses },
			]),
	});
	registerCollected(registry, {
		name: "dofus_manager_user_cache_invalidations_total",
		help: "Entries of the per-user cache dropped because a write changed them (on any instance).",
		type: "counter",
		collect: () => each((stats) => stats.invalidations),
	});
	registerCollected(registry, {
		name: "dofus_manager_user_cache_entries",
		help: "Users whose view the per-user cache holds.",
		type: "gauge",
		collect: () => each((stats) => stats.entries),
	});
}
