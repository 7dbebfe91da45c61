import { spawnSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../src/config.js";
import { workerMode } from "../src/runtime.js";

describe("configuration", () => {
	it("has working defaults", () => {
		const config = loadConfig({});
		expect(config).toMatchObject({
			APP_ENV: "DEV",
			HOST: "127.0.0.1",
			PORT: 3000,
			BODY_LIMIT: 1_048_576,
			PGLITE_DIR: "./.data/pglite",
			BENCH: false,
		});
		expect(config.DATABASE_URL).toBeUndefined();
	});

	it("coerces numbers and flags from strings", () => {
		expect(loadConfig({ PORT: "8080", BENCH: "1", DATABASE_POOL_SIZE: "4" })).toMatchObject({
			PORT: 8080,
			BENCH: true,
			DATABASE_POOL_SIZE: 4,
		});
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

	describe("background jobs", () => {
		it("runs the workers inline on PGlite and in worker.js on PostgreSQL unless WORKER says otherwise", () => {
			expect(workerMode(loadConfig({}))).toBe("inline");
			expect(workerMode(loadConfig({ DATABASE_URL: "postgres://db/app" }))).toBe("off");
			expect(workerMode(loadConfig({ DATABASE_URL: "postgres://db/app", WORKER: "inline" }))).toBe("inline");
			expect(workerMode(loadConfig({ WORKER: "off" }))).toBe("off");
			expect(() => loadConfig({ WORKER: "sometimes" })).toThrow(/WORKER/);
		});

		it("has defaults for the schedules, retention and mail", () => {
			expect(loadConfig({})).toMatchObject({
				WORKER_CONCURRENCY: 2,
				JOB_SUPERVISE_SECONDS: 5,
				DOFUSDB_SYNC_CRON: "0 4 * * *",
				OUTBOX_RETENTION_DAYS: 30,
				ADMIN_EMAILS: [],
			});
			expect(loadConfig({}).SMTP_URL).toBeUndefined();
		});

		it("lower-cases and trims ADMIN_EMAILS, and refuses what is not an email", () => {
			expect(loadConfig({ ADMIN_EMAILS: " Ana@Example.test, ,bob@example.test" }).ADMIN_EMAILS).toEqual([
				"ana@example.test",
				"bob@example.test",
			]);
			expect(() => loadConfig({ ADMIN_EMAILS: "ana@example.test,not-an-email" })).toThrow(/ADMIN_EMAILS/);
		});

		it("accepts smtp:// and smtps:// URLs only", () => {
			expect(loadConfig({ SMTP_URL: "smtps://user:secret@mail.example.test:465" }).SMTP_URL).toBe(
				"smtps://user:secret@mail.example.test:465",
			);
			expect(() => loadConfig({ SMTP_URL: "http://mail.example.test" })).toThrow(/SMTP_URL/);
			expect(() => loadConfig({ WORKER_CONCURRENCY: "0" })).toThrow(/WORKER_CONCURRENCY/);
		});
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

	describe("SECRETS_KEY and SECRETS_KEYS_PREVIOUS", () => {
		const bytes = randomBytes(32);
		const key = `2026-12:${bytes.toString("base64")}`;
		const problemsOf = (env: Record<string, string>) => {
			try {
				loadConfig(env);
			} catch (error) {
				expect(error).toBeInstanceOf(ConfigError);
				return (error as ConfigError).message;
			}
			throw new Error("expected a ConfigError");
		};

		it("parses the current key and the previous ones into key objects that print their id only", () => {
			const config = loadConfig({
				APP_ENV: "PROD",
				SECRETS_KEY: key,
				SECRETS_KEYS_PREVIOUS: `old:${randomBytes(32).toString("base64")},older:${randomBytes(32).toString("base64url")}`,
			});
			expect(config.SECRETS_KEY?.id).toBe("2026-12");
			expect(config.SECRETS_KEYS_PREVIOUS.map((one) => one.id)).toEqual(["old", "older"]);
			expect(JSON.stringify(config)).not.toContain(bytes.toString("base64"));
		});

		it("is optional outside PROD", () => {
			expect(loadConfig({ APP_ENV: "DEV" }).SECRETS_KEY).toBeUndefined();
			expect(loadConfig({ APP_ENV: "TEST" }).SECRETS_KEYS_PREVIOUS).toEqual([]);
		});

		it("is required in PROD", () => {
			expect(problemsOf({ APP_ENV: "PROD" })).toMatch(/SECRETS_KEY: required when APP_ENV=PROD/);
		});

		it("refuses bad base64 and keys that are not 32 bytes, without echoing them", () => {
			const short = `k1:${randomBytes(16).toString("base64")}`;
			expect(problemsOf({ SECRETS_KEY: "k1:%%%not-base64%%%" })).toMatch(/SECRETS_KEY: key "k1" is not base64/);
			const message = problemsOf({ SECRETS_KEY: short });
			expect(message).toMatch(/SECRETS_KEY: key "k1" decodes to 16 bytes, AES-256 needs exactly 32/);
			expect(message).not.toContain(short.slice(3));
			expect(problemsOf({ SECRETS_KEYS_PREVIOUS: `${key},bad` })).toMatch(
				/SECRETS_KEYS_PREVIOUS: expected <key id>:<base64 of 32 bytes>/,
			);
		});

		it("refuses a previous key reusing the current key's id, and the public development key in PROD", () => {
			expect(
				problemsOf({ SECRETS_KEY: key, SECRETS_KEYS_PREVIOUS: `2026-12:${randomBytes(32).toString("base64")}` }),
			).toMatch(/SECRETS_KEYS_PREVIOUS: repeats the key id "2026-12"/);
			const development = createHash("sha256")
				.update("dofus-manager public development key, never for production")
				.digest("base64");
			expect(problemsOf({ APP_ENV: "PROD", SECRETS_KEY: `prod:${development}` })).toMatch(
				/SECRETS_KEY: is the public development key/,
			);
		});

		// A child process on a busy machine: generous bounds, the assertion is the exit code and the message.
		it("stops a PROD start without SECRETS_KEY with a clear message and exit code 1", { timeout: 90_000 }, () => {
			const result = spawnSync(process.execPath, ["--import", "tsx", "src/main.ts"], {
				env: { ...process.env, APP_ENV: "PROD", SECRETS_KEY: "", PORT: "0", PGLITE_DIR: "memory://" },
				encoding: "utf8",
				timeout: 80_000,
			});
			expect(result.status).toBe(1);
			expect(result.stderr).toContain("Invalid configuration");
			expect(result.stderr).toContain("SECRETS_KEY: required when APP_ENV=PROD");
			expect(result.stderr).not.toMatch(/\n\s+at /);
		});
	});
});
