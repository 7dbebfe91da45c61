// Host resolution: which guild a request is for, from its Host header (and X-Guild on the bare domain).
import { InvalidHostError, UnknownHostError } from "./answers.js";
import { domainKey, slugKey, type TenantCache, type TenantEntry } from "./cache.js";
import { parseHost } from "./hosts.js";
import type { TenancySettings } from "./settings.js";
import { isSlugShaped } from "./slugs.js";

/** The guild a request's host names, and how it named it. */
export interface HostTenant {
	readonly guild: { readonly id: number; readonly slug: string };
	readonly via: "subdomain" | "domain" | "header";
	/** X-Guild gave a previous slug: served, and told the current one. */
	readonly stale?: true;
}

/** A previous slug's host: the request belongs at `<slug>.<base domain>[:port]`. */
export interface HostMoved {
	readonly movedTo: { readonly slug: string; readonly port: string; readonly until: Date };
}

/** `undefined`: the platform's own host (no guild). Unknown and malformed hosts throw (see answers.ts). */
export type HostOutcome = HostTenant | HostMoved | undefined;

export interface HostResolver {
	/** Synchronous when nothing needs the database (the bare domain, a cached guild); a promise otherwise. */
	resolve(
		host: string | string[] | undefined,
		guildHeader: string | string[] | undefined,
	): HostOutcome | Promise<HostOutcome>;
}

export function createHostResolver(
	cache: Pick<TenantCache, "get">,
	settings: Pick<TenancySettings, "baseDomain" | "platformHosts" | "reservedSlugs">,
): HostResolver {
	const { baseDomain, platformHosts, reservedSlugs } = settings;
	const dotBase = `.${baseDomain}`;

	function outcomeOf(entry: TenantEntry | null, via: HostTenant["via"], port: string): HostOutcome {
		if (entry === null) throw new UnknownHostError();
		const guild = { id: entry.id, slug: entry.slug };
		if (entry.movedUntil === undefined) return { guild, via };
		if (via === "header") return { guild, via, stale: true };
		return { movedTo: { slug: entry.slug, port, until: entry.movedUntil } };
	}

	function lookUp(key: `s:${string}` | `d:${string}`, via: HostTenant["via"], port: string) {
		const entry = cache.get(key);
		return entry instanceof Promise ? entry.then((found) => outcomeOf(found, via, port)) : outcomeOf(entry, via, port);
	}

	/** The bare domain: no guild, unless X-Guild names one. */
	function platform(guildHeader: string | string[] | undefined) {
		if (guildHeader === undefined) return undefined;
		const slug = typeof guildHeader === "string" ? guildHeader.trim().toLowerCase() : "";
		if (!isSlugShaped(slug) || reservedSlugs.has(slug)) throw new UnknownHostError();
		return lookUp(slugKey(slug), "header", "");
	}

	return {
		resolve(host, guildHeader) {
			const parsed = parseHost(host);
			if (parsed.kind === "invalid") throw new InvalidHostError();
			if (parsed.kind !== "name") return platform(guildHeader);
			const { name, port } = parsed;
			if (name === baseDomain || name === "localhost" || platformHosts.has(name)) return platform(guildHeader);
			if (name.endsWith(dotBase)) {
				const label = name.slice(0, -dotBase.length);
				// `api.<base>`, `www.<base>`: the platform's own hosts.
				if (reservedSlugs.has(label)) return platform(guildHeader);
				if (!isSlugShaped(label)) throw new UnknownHostError();
				return lookUp(slugKey(label), "subdomain", port);
			}
			return lookUp(domainKey(name), "domain", port);
		},
	};
}
