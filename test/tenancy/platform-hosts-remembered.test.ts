// src/app.ts rememberPlatformHosts: a Host header resolved to the platform is not parsed again; nothing else is kept.
import { describe, expect, it } from "vitest";
import { rememberPlatformHosts } from "../../src/app.js";
import type { TenantCache } from "../../src/tenancy/cache.js";
import { createHostResolver, type HostResolver } from "../../src/tenancy/resolver.js";

const settings = {
	baseDomain: "dofus-manager.test",
	platformHosts: new Set<string>(),
	reservedSlugs: new Set(["api"]),
};
const iop = { id: 7, slug: "iop", movedUntil: undefined };

/** The real resolver over a fixed cache, counting how often the wrapped one is asked. */
function countingResolver() {
	const cache: Pick<TenantCache, "get"> = { get: (key) => (key === "s:iop" ? iop : null) };
	const inner = createHostResolver(cache, settings);
	const asked: (string | string[] | undefined)[] = [];
	const counted: HostResolver = {
		resolve(host, guildHeader) {
			asked.push(host);
			return inner.resolve(host, guildHeader);
		},
	};
	return { counted, asked };
}

describe("rememberPlatformHosts", () => {
	it("answers a platform host it resolved before without asking the resolver again", () => {
		const { counted, asked } = countingResolver();
		const resolver = rememberPlatformHosts(counted);
		expect(resolver.resolve("127.0.0.1:3000", undefined)).toBeUndefined();
		expect(resolver.resolve("127.0.0.1:3000", undefined)).toBeUndefined();
		expect(resolver.resolve("api.dofus-manager.test", undefined)).toBeUndefined();
		expect(resolver.resolve("api.dofus-manager.test", undefined)).toBeUndefined();
		expect(asked).toEqual(["127.0.0.1:3000", "api.dofus-manager.test"]);
	});

	it("asks the resolver every time for a guild's host", () => {
		const { counted, asked } = countingResolver();
		const resolver = rememberPlatformHosts(counted);
		expect(resolver.resolve("iop.dofus-manager.test", undefined)).toEqual({
			guild: { id: 7, slug: "iop" },
			via: "subdomain",
		});
		expect(resolver.resolve("iop.dofus-manager.test", undefined)).toEqual({
			guild: { id: 7, slug: "iop" },
			via: "subdomain",
		});
		expect(asked).toHaveLength(2);
	});

	it("asks the resolver when X-Guild is given, even on a remembered platform host", () => {
		const { counted, asked } = countingResolver();
		const resolver = rememberPlatformHosts(counted);
		resolver.resolve("dofus-manager.test", undefined);
		expect(resolver.resolve("dofus-manager.test", "iop")).toEqual({ guild: { id: 7, slug: "iop" }, via: "header" });
		expect(asked).toHaveLength(2);
	});

	it("keeps refusing unknown and invalid hosts, asking each time", () => {
		const { counted, asked } = countingResolver();
		const resolver = rememberPlatformHosts(counted);
		for (let attempt = 0; attempt < 2; attempt++) {
			expect(() => resolver.resolve("nobody.dofus-manager.test", undefined)).toThrow();
			expect(() => resolver.resolve("bad host!", undefined)).toThrow();
		}
		expect(asked).toHaveLength(4);
	});

	it("remembers no more than its limit of distinct hosts", () => {
		const { counted, asked } = countingResolver();
		const resolver = rememberPlatformHosts(counted, 2);
		for (const host of ["10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.1", "10.0.0.2", "10.0.0.3"])
			expect(resolver.resolve(host, undefined)).toBeUndefined();
		expect(asked).toEqual(["10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.3"]);
	});
});
