// The tenancy configuration: BASE_DOMAIN, PLATFORM_HOSTS, RESERVED_SLUGS, the redirect window and the cache lifetimes.
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../src/config.js";
import { tenancySettings } from "../../src/tenancy/settings.js";

function problemsOf(env: Record<string, string>): string {
	try {
		loadConfig(env);
	} catch (error) {
		if (error instanceof ConfigError) return error.message;
		throw error;
	}
	return "";
}

describe("tenancy configuration", () => {
	it("defaults to localhost, the built-in reserved slugs, 30 days of redirect and a one-minute cache", () => {
		const settings = tenancySettings(loadConfig({}));
		expect(settings).toMatchObject({
			baseDomain: "localhost",
			slugRedirectMs: 30 * 24 * 3_600_000,
			cacheTtlMs: 60_000,
			negativeTtlMs: 5_000,
			cacheMaxEntries: 10_000,
		});
		expect(settings.platformHosts.size).toBe(0);
		expect([...settings.reservedSlugs]).toContain("www");
	});

	it("normalises BASE_DOMAIN and the lists, and adds RESERVED_SLUGS to the built-in names", () => {
		const settings = tenancySettings(
			loadConfig({
				BASE_DOMAIN: " Dofus-Manager.App. ",
				PLATFORM_HOSTS: "Api.Internal, dofus-api ,",
				RESERVED_SLUGS: "Forum,wiki",
				SLUG_REDIRECT_DAYS: "0",
			}),
		);
		expect(settings.baseDomain).toBe("dofus-manager.app");
		expect([...settings.platformHosts]).toEqual(["api.internal", "dofus-api"]);
		expect(
			settings.reservedSlugs.has("forum") && settings.reservedSlugs.has("wiki") && settings.reservedSlugs.has("api"),
		).toBe(true);
		expect(settings.slugRedirectMs).toBe(0);
	});

	it("refuses a BASE_DOMAIN that is not a host name, and lifetimes out of range", () => {
		expect(problemsOf({ BASE_DOMAIN: "https://dofus-manager.app" })).toMatch(/BASE_DOMAIN: must be a host name/);
		expect(problemsOf({ BASE_DOMAIN: "guildé.fr" })).toMatch(/BASE_DOMAIN/);
		expect(problemsOf({ TENANT_CACHE_TTL_MS: "10" })).toMatch(/TENANT_CACHE_TTL_MS/);
		expect(problemsOf({ SLUG_REDIRECT_DAYS: "-1" })).toMatch(/SLUG_REDIRECT_DAYS/);
	});
});
