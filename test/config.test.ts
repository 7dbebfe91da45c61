import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../src/config.js";

describe("configuration", () => {
	it("has working defaults", () => {
		const config = loadConfig({});
		expect(config).toMatchObject({ APP_ENV: "DEV", HOST: "127.0.0.1", PORT: 3000, BODY_LIMIT: 1_048_576, PGLITE_DIR: "./.data/pglite", BENCH: false });
		expect(config.DATABASE_URL).toBeUndefined();
	});

	it("coerces numbers and flags from strings", () => {
		expect(loadConfig({ PORT: "8080", BENCH: "1", DATABASE_POOL_SIZE: "4" })).toMatchObject({ PORT: 8080, BENCH: true, DATABASE_POOL_SIZE: 4 });
	});

	it("treats empty variables as unset", () => {
		const config = loadConfig({ PORT: "", DATABASE_URL: "" });
		expect(config.PORT).toBe(3000);
		expect(config.DATABASE_URL).toBeUndefined();
	});

	it("names every bad variable", () => {
		try {
			loadConfig({ PORT: "eighty", APP_ENV: "STAGING", DATABASE_URL: "mysql://x" });
			expect.unreachable();
		} catch (error) {
			expect(error).toBeInstanceOf(ConfigError);
			const message = (error as ConfigError).message;
			expect(message).toContain("PORT");
			expect(message).toContain("APP_ENV");
			expect(message).toContain("DATABASE_URL");
		}
	});

	it("stops the server start with a clear message and exit code 1", () => {
		const result = spawnSync(process.execPath, ["--import", "tsx", "src/main.ts"], {
			env: { ...process.env, PORT: "not-a-port", APP_ENV: "TEST" },
			encoding: "utf8",
			timeout: 30_000,
		});
		expect(result.status).toBe(1);
		expect(result.stderr).toContain("Invalid configuration");
		expect(result.stderr).toContain("PORT");
		expect(result.stderr).not.toMatch(/\n\s+at /);
	});
});
