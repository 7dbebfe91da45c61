// Tenant resolution figures from the tenant cache's counters: hits and misses (the hit rate), database lookup time.
import type { Registry } from "prom-client";
import type { TenantCache } from "../tenancy/cache.js";
import { registerCollected } from "./collected.js";

/**
 * A cached resolution is a map read (tens of nanoseconds: `npm run bench:tenancy` measures it), too cheap to time per
 * request; what costs is a miss, timed by the cache. Hit rate: `rate(…_hits_total) / rate(…_lookups_total)`, or the
 * ratio gauge since the instance started.
 */
export function recordTenantMetrics(registry: Registry, cache: Pick<TenantCache, "stats">): void {
	registerCollected(registry, {
		name: "dofus_manager_tenant_cache_lookups_total",
		help: "Host resolutions asked of the tenant cache, by result: hit (a guild), negative_hit (a remembered unknown host), miss (a database lookup started), shared_miss (waited for a lookup under way).",
		type: "counter",
		collect: () => {
			const stats = cache.stats();
			return [
				{ labels: { result: "hit" }, value: stats.hits },
				{ labels: { result: "negative_hit" }, value: stats.negativeHits },
				{ labels: { result: "miss" }, value: stats.misses },
				{ labels: { result: "shared_miss" }, value: stats.sharedMisses },
			];
		},
	});
	registerCollected(registry, {
		name: "dofus_manager_tenant_cache_hit_ratio",
		help: "Share of host resolutions answered from the tenant cache (hits and negative hits) since the instance started.",
		type: "gauge",
		collect: () => {
			const stats = cache.stats();
			const cached = stats.hits + stats.negativeHits;
			const total = cached + stats.misses + stats.sharedMisses;
			return [{ value: total === 0 ? 0 : cached / total }];
		},
	});
	registerCollected(registry, {
		name: "dofus_manager_tenant_cache_entries",
		help: "Hosts the tenant cache holds, by kind: known (a guild) or unknown (remembered briefly).",
		type: "gauge",
		collect: () => {
			const stats = cache.stats();
			return [
				{ labels: { kind: "known" }, value: stats.entries },
				{ labels: { kind: "unknown" }, value: stats.negativeEntries },
			];
		},
	});
	registerCollected(registry, {
		name: "dofus_manager_tenant_cache_invalidations_total",
		help: "Changes (slug, domain, guild) that made the tenant cache forget hosts, from any instance.",
		type: "counter",
		collect: () => [{ value: cache.stats().invalidations }],
	});
	registerCollected(registry, {
		name: "dofus_manager_tenant_lookup_seconds_total",
		help: "Time spent in the tenant cache's database lookups (misses); divide by the miss count for the mean.",
		type: "counter",
		collect: () => [{ value: cache.stats().lookupMs.total / 1000 }],
	});
	registerCollected(registry, {
		name: "dofus_manager_tenant_lookup_seconds_max",
		help: "The longest tenant database lookup since the instance started.",
		type: "gauge",
		collect: () => [{ value: cache.stats().lookupMs.max / 1000 }],
	});
}
