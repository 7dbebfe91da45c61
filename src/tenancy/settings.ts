// Tenancy settings resolved once from the config: the base domain, platform hosts, reserved slugs, cache lifetimes.
import type { Config } from "../config.js";
import { builtInReservedSlugs } from "./slugs.js";

export type TenancyConfig = Partial<
	Pick<
		Config,
		| "BASE_DOMAIN"
		| "PLATFORM_HOSTS"
		| "RESERVED_SLUGS"
		| "SLUG_REDIRECT_DAYS"
		| "TENANT_CACHE_TTL_MS"
		| "TENANT_NEGATIVE_TTL_MS"
		| "TENANT_CACHE_MAX_ENTRIES"
	>
>;

export interface TenancySettings {
	/** Guilds are served at `<slug>.<baseDomain>`; the base domain itself is the platform (no guild). */
	readonly baseDomain: string;
	/** Other host names served as the platform: internal service names, a public API name outside the base domain. */
	readonly platformHosts: ReadonlySet<string>;
	/** Slugs no guild may take: the built-in list and RESERVED_SLUGS. Their subdomains are platform hosts. */
	readonly reservedSlugs: ReadonlySet<string>;
	/** How long a guild's previous slug keeps redirecting to its new one (and stays unavailable to other guilds). */
	readonly slugRedirectMs: number;
	readonly cacheTtlMs: number;
	/** Unknown hosts are remembered this long: a burst of requests for one costs one query, a new guild waits no longer. */
	readonly negativeTtlMs: number;
	/** Entries of each of the two caches (known hosts, unknown hosts): a flood of unknown hosts cannot evict known ones. */
	readonly cacheMaxEntries: number;
}

const day = 24 * 3_600_000;

/** Apps built from a literal config (the tests) skip the config parser: values are normalised again here. */
export function tenancySettings(config: TenancyConfig): TenancySettings {
	const lowered = (values: readonly string[] | undefined) =>
		(values ?? []).map((value) => value.trim().toLowerCase().replace(/\.$/, "")).filter((value) => value !== "");
	return {
		baseDomain: lowered([config.BASE_DOMAIN ?? "localhost"])[0] ?? "localhost",
		platformHosts: new Set(lowered(config.PLATFORM_HOSTS)),
		reservedSlugs: new Set([...builtInReservedSlugs, ...lowered(config.RESERVED_SLUGS)]),
		slugRedirectMs: (config.SLUG_REDIRECT_DAYS ?? 30) * day,
		cacheTtlMs: config.TENANT_CACHE_TTL_MS ?? 60_000,
		negativeTtlMs: config.TENANT_NEGATIVE_TTL_MS ?? 5_000,
		cacheMaxEntries: config.TENANT_CACHE_MAX_ENTRIES ?? 10_000,
	};
}
