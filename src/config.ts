// Environment variables, parsed and validated once with zod; the rest of the app reads `Config`.
import { z } from "zod";
import { developmentSecretKey, parseSecretKey, parseSecretKeyList } from "./secrets/keyring.js";

const port = z.coerce.number().int().min(0).max(65_535);

/** Parsed into key objects that never print their bytes; a bad entry is an issue naming the problem, not the key. */
function secretKeys<T>(parse: (value: string) => T) {
	return z.string().transform((value, context) => {
		try {
			return parse(value);
		} catch (error) {
			context.addIssue({ code: "custom", message: (error as Error).message });
			return z.NEVER;
		}
	});
}

/** `a, b,c` → `["a", "b", "c"]`, lower-cased, empty entries dropped. */
const commaList = z.string().transform((value) =>
	value
		.split(",")
		.map((entry) => entry.trim().toLowerCase())
		.filter((entry) => entry !== ""),
);

const booleanFlag = z
	.enum(["1", "0", "true", "false", "yes", "no"])
	.transform((value) => value === "1" || value === "true" || value === "yes");

export const configSchema = z
	.object({
		/** DEV prints stack traces in 500 bodies and pretty logs; TEST is silent; PROD is strict and fast. */
		APP_ENV: z.enum(["DEV", "TEST", "PROD"]).default("DEV"),
		HOST: z.string().min(1).default("127.0.0.1"),
		PORT: port.default(3000),
		LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).optional(),
		/** Largest accepted request body, in bytes (routes may override it). */
		BODY_LIMIT: z.coerce.number().int().positive().default(1_048_576),
		/** How long `close()` waits for in-flight requests before cutting them, in milliseconds. */
		SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
		/**
		 * After SIGTERM, how long the API keeps serving every request while GET /health/ready answers 503, in milliseconds,
		 * before it stops listening: the time a load balancer takes to see it not ready and send the traffic elsewhere
		 * (its check interval × its unhealthy threshold, plus a margin). 0: stop listening at once.
		 */
		SHUTDOWN_DRAIN_MS: z.coerce.number().int().min(0).max(300_000).default(0),
		/** Unset: embedded PGlite. Set: a PostgreSQL server reached with postgres.js. */
		DATABASE_URL: z
			.string()
			.regex(/^postgres(ql)?:\/\//, "must start with postgres:// or postgresql://")
			.optional(),
		DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
		/** How long opening one PostgreSQL connection may take (TCP, TLS, authentication), in milliseconds. */
		DATABASE_CONNECT_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(3_000),
		/** PostgreSQL's statement_timeout for every connection of the pool, in milliseconds (0: none). */
		DATABASE_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(0).max(3_600_000).default(10_000),
		/**
		 * Named prepared statements (the hot lookups of src/db/queries.ts) and pipelined queries. `false` sends every statement
		 * unnamed and one query at a time per connection, as a pooler in transaction mode needs (PgBouncer before 1.21, or
		 * without max_prepared_statements): see docs/production.md.
		 */
		DATABASE_PREPARE: booleanFlag.default(true),
		/**
		 * A direct URL to the same PostgreSQL database for LISTEN connections (cache invalidation, real-time events, the job
		 * queue's wake-ups), when DATABASE_URL goes through a pooler in transaction mode, where LISTEN does not work. Unset:
		 * DATABASE_URL.
		 */
		DATABASE_LISTEN_URL: z
			.string()
			.regex(/^postgres(ql)?:\/\//, "must start with postgres:// or postgresql://")
			.optional(),
		/** Where PGlite keeps its files; `memory://` for an ephemeral database. */
		PGLITE_DIR: z.string().min(1).default("./.data/pglite"),
		/** Reverse proxies in front of the server whose `x-forwarded-for` gives the client address (0: none). */
		TRUST_PROXY: z.coerce.number().int().min(0).max(10).default(0),
		/** Registers the benchmark-only routes (see bench/). */
		BENCH: booleanFlag.default(false),
		/** Lifetime of an access token (and of the `session` cookie), in seconds. */
		ACCESS_TOKEN_TTL_SECONDS: z.coerce
			.number()
			.int()
			.positive()
			.default(15 * 60),
		/** Lifetime of a refresh token, in seconds; each refresh issues a new one. */
		REFRESH_TOKEN_TTL_SECONDS: z.coerce
			.number()
			.int()
			.positive()
			.default(30 * 24 * 3600),
		/**
		 * log2 of scrypt's N for new password hashes. Unset: 17 (OWASP) everywhere but TEST, where 10 keeps
		 * the suite fast. Existing hashes keep the cost they were made with.
		 */
		PASSWORD_HASH_COST: z.coerce.number().int().min(10).max(20).optional(),
		/** `Secure` flag of the session cookie. Unset: on in PROD, off in DEV and TEST (plain http on localhost). */
		SESSION_COOKIE_SECURE: booleanFlag.optional(),
		/**
		 * Origins (scheme://host[:port], comma-separated) allowed to make cookie-authenticated unsafe requests
		 * besides the API's own host, e.g. the web app's origin.
		 */
		ALLOWED_ORIGINS: z
			.string()
			.transform((value) =>
				value
					.split(",")
					.map((origin) => origin.trim())
					.filter((origin) => origin !== ""),
			)
			.pipe(z.array(z.url()))
			.default([]),
		/** Failed logins allowed per email (and per IP) within LOGIN_WINDOW_SECONDS before 429. */
		LOGIN_MAX_FAILURES: z.coerce.number().int().positive().default(10),
		LOGIN_WINDOW_SECONDS: z.coerce
			.number()
			.int()
			.positive()
			.default(5 * 60),
		/** How long GET /api/classes, /servers and /dungeons serve their in-process copy before reading the database again. */
		REFERENCE_CACHE_TTL_MS: z.coerce.number().int().positive().default(3_600_000),
		/** Base URL of the DofusDB-compatible API `npm run sync:dofusdb` reads (see src/sync/dofusdb.ts). */
		DOFUSDB_URL: z.url().default("https://api.dofusdb.fr"),
		/** Per-request timeout of the DofusDB sync, in milliseconds. */
		DOFUSDB_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
		/** Retries of one DofusDB request after a network error, a timeout, a 429 or a 5xx (exponential backoff). */
		DOFUSDB_RETRIES: z.coerce.number().int().min(0).max(10).default(3),
		/**
		 * Which background-job workers this process runs. `inline`: the API and the workers in one process (the default on
		 * PGlite, whose data directory only one process may open); `off`: the API only (the default on PostgreSQL, where
		 * `node dist/worker.js` runs the workers). `node dist/worker.js` ignores it.
		 */
		WORKER: z.enum(["inline", "off"]).optional(),
		/** How many jobs of each kind one worker process runs at once. */
		WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(50).default(2),
		/** How often a worker looks for due jobs when no notification woke it, in seconds. */
		JOB_POLL_SECONDS: z.coerce.number().min(0.5).max(60).default(2),
		/**
		 * How often workers look for jobs whose worker died (missed heartbeats) and for expired ones, in seconds. With
		 * the 10 s heartbeat, a job whose worker was killed runs again within about twice this plus 10 s.
		 */
		JOB_SUPERVISE_SECONDS: z.coerce.number().int().min(1).max(300).default(5),
		/** The DofusDB sync's schedule (cron, UTC); runs once per tick across all workers. `off` disables it. */
		DOFUSDB_SYNC_CRON: z.string().min(1).default("0 4 * * *"),
		/** The clean-up of expired sessions, tokens, login attempts and old outbox rows (cron, UTC); `off` disables it. */
		CLEANUP_CRON: z.string().min(1).default("17 * * * *"),
		/** Outbox rows are deleted this many days after they were sent. */
		OUTBOX_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(30),
		/**
		 * Where mail is delivered: `smtp://user:pass@host:port` or `smtps://…`. Unset: mail is logged (without its body)
		 * and marked sent, so the embedded default needs no mail server.
		 */
		SMTP_URL: z
			.string()
			.regex(/^smtps?:\/\//, "must start with smtp:// or smtps://")
			.optional(),
		/** The From address of outgoing mail. */
		MAIL_FROM: z.string().min(3).default("Dofus Manager <no-reply@dofus-manager.local>"),
		/** Real-time streams send a comment line this often, in milliseconds, so that proxies keep idle ones open. */
		REALTIME_HEARTBEAT_MS: z.coerce.number().int().min(1_000).max(300_000).default(15_000),
		/** How long events are kept for clients that reconnect (Last-Event-ID, `since`), in seconds. */
		REALTIME_REPLAY_SECONDS: z.coerce.number().int().min(10).max(86_400).default(300),
		/** Open real-time connections (SSE and WebSocket) one user may hold on one instance; one more answers 429. */
		REALTIME_MAX_CONNECTIONS_PER_USER: z.coerce.number().int().min(1).max(1_000).default(10),
		/** Open real-time connections one instance holds at most; one more answers 503. */
		REALTIME_MAX_CONNECTIONS: z.coerce.number().int().min(1).max(1_000_000).default(10_000),
		/** A real-time client that leaves more than this many bytes unread is dropped (it reconnects and replays). */
		REALTIME_MAX_BUFFERED_BYTES: z.coerce.number().int().min(16_384).max(67_108_864).default(1_048_576),
		/**
		 * Guilds are served at `<slug>.<BASE_DOMAIN>`; BASE_DOMAIN itself is the platform (no guild), as are IP hosts,
		 * `localhost` and PLATFORM_HOSTS. The default suits development: `curl -H 'Host: iop.localhost:3000'`, and browsers
		 * send `*.localhost` to the loopback. Any other host must be an active custom domain, or answers 404.
		 */
		BASE_DOMAIN: z
			.string()
			.trim()
			.toLowerCase()
			.transform((value) => value.replace(/\.$/, ""))
			.pipe(
				z
					.string()
					.regex(
						/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/,
						"must be a host name in ASCII (punycode for IDN), e.g. dofus-manager.app",
					),
			)
			.default("localhost"),
		/** Other host names (comma-separated) served as the platform: internal service names, an API name outside BASE_DOMAIN. */
		PLATFORM_HOSTS: commaList.default([]),
		/** Slugs (comma-separated) no guild may take, besides www, api, app, admin, docs, static, assets, mail, status, auth, login. */
		RESERVED_SLUGS: commaList.default([]),
		/** How long a guild's previous slug redirects to its new one (and is kept from other guilds), in days; 0: not at all. */
		SLUG_REDIRECT_DAYS: z.coerce.number().int().min(0).max(365).default(30),
		/** How long an instance trusts its cached host → guild resolution, in milliseconds (changes invalidate it at once). */
		TENANT_CACHE_TTL_MS: z.coerce.number().int().min(1_000).max(86_400_000).default(60_000),
		/** How long an unknown host is remembered as unknown, in milliseconds. */
		TENANT_NEGATIVE_TTL_MS: z.coerce.number().int().min(100).max(3_600_000).default(5_000),
		/** Entries in each tenant cache (known hosts, unknown hosts). */
		TENANT_CACHE_MAX_ENTRIES: z.coerce.number().int().min(100).max(10_000_000).default(10_000),
		/**
		 * How long an instance trusts its in-memory copy of the feature flags, in milliseconds; a change made on any instance
		 * empties every copy at once, so this only bounds the staleness after a lost notification.
		 */
		FEATURE_FLAG_CACHE_TTL_MS: z.coerce.number().int().min(1_000).max(86_400_000).default(60_000),
		/** How often an instance adds the requests it counted per guild to guild_request_counts, in milliseconds. */
		REQUEST_COUNT_FLUSH_MS: z.coerce.number().int().min(100).max(300_000).default(5_000),
		/**
		 * How long an instance serves a user's own hot reads (the first page of GET /api/characters, GET /api/teams) from
		 * memory, in milliseconds; every write that changes them invalidates them at once, on every instance. 0: no cache.
		 */
		USER_CACHE_TTL_MS: z.coerce.number().int().min(0).max(86_400_000).default(300_000),
		/**
		 * The Bearer token GET /metrics (Prometheus text) asks of its scraper. Unset: the route answers 404, as an unknown
		 * path does. At least 16 characters: it guards request counts, cache figures and database state.
		 */
		METRICS_TOKEN: z.string().min(16).optional(),
		/** Emails (comma-separated) of the platform administrators: they may see every job and start a DofusDB sync. */
		ADMIN_EMAILS: z
			.string()
			.transform((value) =>
				value
					.split(",")
					.map((email) => email.trim().toLowerCase())
					.filter((email) => email !== ""),
			)
			.pipe(z.array(z.email()))
			.default([]),
		/**
		 * The key that encrypts TOTP secrets at rest (AES-256-GCM): `<key id>:<base64 of 32 bytes>`. Required in PROD;
		 * unset in DEV/TEST: the public development key (id `dev`). See README, *Secrets at rest*.
		 */
		SECRETS_KEY: secretKeys(parseSecretKey).optional(),
		/** Earlier keys, still accepted for decryption until the start-up migration has moved every value to SECRETS_KEY. */
		SECRETS_KEYS_PREVIOUS: secretKeys(parseSecretKeyList).default([]),
		/** Where uploaded files are kept: `filesystem` (STORAGE_DIR) or `s3` (S3_*). Unset: `s3` when S3_BUCKET is set. */
		STORAGE_DRIVER: z.enum(["filesystem", "s3"]).optional(),
		/** The filesystem storage's directory, created when missing. Never served as is: downloads use signed URLs. */
		STORAGE_DIR: z.string().min(1).default("./.data/files"),
		/** An S3-compatible service's URL, e.g. `http://127.0.0.1:9000` for MinIO. Unset: AWS S3 in S3_REGION. */
		S3_ENDPOINT: z.url().optional(),
		S3_BUCKET: z
			.string()
			.regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, "must be 3 to 63 characters among a-z 0-9 . -")
			.optional(),
		S3_REGION: z.string().min(1).default("us-east-1"),
		/** Both or neither. Neither: the AWS SDK's default chain (environment, instance or task role). */
		S3_ACCESS_KEY_ID: z.string().min(1).optional(),
		S3_SECRET_ACCESS_KEY: z.string().min(1).optional(),
		/** The bucket in the URL path rather than the host name. Unset: on when S3_ENDPOINT is set (MinIO and others). */
		S3_FORCE_PATH_STYLE: booleanFlag.optional(),
		/**
		 * Lifetime of a signed download URL, in seconds (S3 allows 7 days at most). Filesystem URLs are signed with a
		 * key derived from SECRETS_KEY, so PROD never signs with a public one and no other secret is needed.
		 */
		SIGNED_URL_TTL_SECONDS: z.coerce.number().int().min(1).max(604_800).default(300),
		/** Bytes of stored files one user may hold (portraits, emblems they uploaded, imports); one more answers 413. */
		UPLOAD_QUOTA_BYTES: z.coerce
			.number()
			.int()
			.positive()
			.default(50 * 1024 * 1024),
		/** Uploads one user may start per minute, counted across instances; one more answers 429 with Retry-After. */
		UPLOADS_PER_MINUTE: z.coerce.number().int().min(1).max(10_000).default(20),
	})
	.superRefine((config, context) => {
		const current = config.SECRETS_KEY;
		if (config.APP_ENV === "PROD") {
			if (current === undefined) {
				context.addIssue({
					code: "custom",
					path: ["SECRETS_KEY"],
					message:
						"required when APP_ENV=PROD: <key id>:<base64 of 32 random bytes>, e.g. 2026-12:$(openssl rand -base64 32)",
				});
			} else if (current.sameBytes(developmentSecretKey)) {
				context.addIssue({
					code: "custom",
					path: ["SECRETS_KEY"],
					message: "is the public development key: generate a real one for PROD",
				});
			}
		}
		if (config.DATABASE_LISTEN_URL !== undefined && config.DATABASE_URL === undefined) {
			context.addIssue({
				code: "custom",
				path: ["DATABASE_LISTEN_URL"],
				message: "only with DATABASE_URL: the embedded PGlite listens within its process",
			});
		}
		if (config.STORAGE_DRIVER === "s3" && config.S3_BUCKET === undefined) {
			context.addIssue({ code: "custom", path: ["S3_BUCKET"], message: "required when STORAGE_DRIVER=s3" });
		}
		if ((config.S3_ACCESS_KEY_ID === undefined) !== (config.S3_SECRET_ACCESS_KEY === undefined)) {
			context.addIssue({
				code: "custom",
				path: [config.S3_ACCESS_KEY_ID === undefined ? "S3_ACCESS_KEY_ID" : "S3_SECRET_ACCESS_KEY"],
				message: "S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY go together: set both, or neither for the default chain",
			});
		}
		if (current !== undefined && config.SECRETS_KEYS_PREVIOUS.some((key) => key.id === current.id)) {
			context.addIssue({
				code: "custom",
				path: ["SECRETS_KEYS_PREVIOUS"],
				message: `repeats the key id "${current.id}" of SECRETS_KEY: give each key its own id`,
			});
		}
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
		throw new ConfigError(result.error.issues.map((issue) => `${issue.path.join(".") || "(root)"}: ${issue.message}`));
	}
	return result.data;
}

/** For entry points (main.ts, worker.ts): the config, or every problem on stderr and exit code 1, without a stack. */
export function loadConfigOrExit(): Config {
	try {
		return loadConfig();
	} catch (error) {
		if (!(error instanceof ConfigError)) throw error;
		process.stderr.write(`${error.message}\n`);
		process.exit(1);
	}
}
