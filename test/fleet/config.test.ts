// The settings of a fleet in src/config.ts: behind PgBouncer (DATABASE_PREPARE, DATABASE_LISTEN_URL) and behind a load
// balancer (SHUTDOWN_DRAIN_MS).
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../src/config.js";

const pooled = "postgres://app@pgbouncer:6432/app";
const direct = "postgres://app@db:5432/app";

describe("fleet configuration", () => {
	it("prepares statements, listens on DATABASE_URL and drains for 0 ms by default", () => {
		const config = loadConfig({ DATABASE_URL: pooled });
		expect(config).toMatchObject({ DATABASE_PREPARE: true, SHUTDOWN_DRAIN_MS: 0 });
		expect(config.DATABASE_LISTEN_URL).toBeUndefined();
	});

	it("reads DATABASE_PREPARE=false, a direct DATABASE_LISTEN_URL and SHUTDOWN_DRAIN_MS", () => {
		expect(
			loadConfig({
				DATABASE_URL: pooled,
				DATABASE_LISTEN_URL: direct,
				DATABASE_PREPARE: "false",
				SHUTDOWN_DRAIN_MS: "5000",
			}),
		).toMatchObject({ DATABASE_PREPARE: false, DATABASE_LISTEN_URL: direct, SHUTDOWN_DRAIN_MS: 5000 });
	});

	it("refuses DATABASE_LISTEN_URL without DATABASE_URL, and one that is not a PostgreSQL URL", () => {
		expect(() => loadConfig({ DATABASE_LISTEN_URL: direct })).toThrow(ConfigError);
		expect(() => loadConfig({ DATABASE_LISTEN_URL: direct })).toThrow(/DATABASE_LISTEN_URL: only with DATABASE_URL/);
		expect(() => loadConfig({ DATABASE_URL: pooled, DATABASE_LISTEN_URL: "mysql://db/app" })).toThrow(
			/DATABASE_LISTEN_URL: must start with postgres/,
		);
	});

	it("refuses a drain longer than five minutes", () => {
		expect(() => loadConfig({ SHUTDOWN_DRAIN_MS: "300001" })).toThrow(/SHUTDOWN_DRAIN_MS/);
	});
});
