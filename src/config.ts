// Environment variables, parsed and validated once with zod; the rest of the app reads `Config`.
import { z } from "zod";

const port = z.coerce.number().int().min(0).max(65_535);

const booleanFlag = z
	.enum(["1", "0", "true", "false", "yes", "no"])
	.transform((value) => value === "1" || value === "true" || value === "yes");

export const configSchema = z.object({
	/** DEV prints stack traces in 500 bodies and pretty logs; TEST is silent; PROD is strict and fast. */
	APP_ENV: z.enum(["DEV", "TEST", "PROD"]).default("DEV"),
	HOST: z.string().min(1).default("127.0.0.1"),
	PORT: port.default(3000),
	LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).optional(),
	/** Largest accepted request body, in bytes (routes may override it). */
	BODY_LIMIT: z.coerce.number().int().positive().default(1_048_576),
	/** How long `close()` waits for in-flight requests before cutting them, in milliseconds. */
	SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
	/** Unset: embedded PGlite. Set: a PostgreSQL server reached with postgres.js. */
	DATABASE_URL: z
		.string()
		.regex(/^postgres(ql)?:\/\//, "must start with postgres:// or postgresql://")
		.optional(),
	DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
	/** Where PGlite keeps its files; `memory://` for an ephemeral database. */
	PGLITE_DIR: z.string().min(1).default("./.data/pglite"),
	/** Registers the benchmark-only routes (see bench/). */
	BENCH: booleanFlag.default(false),
});

export type Config = z.infer<typeof configSchema>;

export class ConfigError extends Error {
	constructor(public readonly problems: string[]) {
		super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join("\n")}`);
		this.name = "ConfigError";
	}
}

/** Parses the environment; throws a `ConfigError` naming every bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
	// Empty strings mean "unset", as in most shells' `VAR= command`.
	const cleaned: Record<string, string> = {};
	for (const [key, value] of Object.entries(env)) {
		if (value !== undefined && value !== "") cleaned[key] = value;
	}
	const result = configSchema.safeParse(cleaned);
	if (!result.success) {
		throw new ConfigError(
			result.error.issues.map((issue) => `${issue.path.join(".") || "(root)"}: ${issue.message}`),
		);
	}
	return result.data;
}
