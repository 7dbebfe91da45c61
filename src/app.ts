// Builds the Dofus Manager app from its dependencies: framework settings, global hooks, routes.
import { tmpdir } from "node:os";
import type { Logger } from "pino";
import type { Config } from "./config.js";
import { recordContractCoverage } from "./contract-coverage.js";
import { type App, createApp } from "./core/index.js";
import { type Database, databaseUnavailableAnswer, mapDatabaseError, redactQueryParameters } from "./db/index.js";
import type { JobQueue } from "./jobs/queue.js";
import { createAccessLogger } from "./logger.js";
import { instrumentApp } from "./metrics/instrument.js";
import type { RealtimeHub } from "./realtime/hub.js";
import type { ReadinessState } from "./routes/health/readiness.js";
import { declareRoutes } from "./routes/index.js";
import { createFileService } from "./services/files.js";
import { createIdentityServices } from "./services/identity.js";
import { createPictureService } from "./services/pictures.js";
import { createUploadQuota } from "./services/quota.js";
import { createReferenceCache, type ReferenceCache } from "./services/reference-cache.js";
import { type Clock, type IdentityConfig, systemClock } from "./services/settings.js";
import { unconfiguredStorage } from "./services/unconfigured-storage.js";
import { createUploadRateLimit } from "./services/upload-rate-limit.js";
import { createUserCache, type UserCache } from "./services/user-cache.js";
import { type ObjectStorage, type UrlSigner, urlSignerFromKeyring } from "./storage/index.js";
import type { TenantCache } from "./tenancy/cache.js";
import { createFeatureFlagCache, type FeatureFlagCache } from "./tenancy/feature-flag-cache.js";
import { serveGuildHosts } from "./tenancy/host-hook.js";
import { createTenantTableCache } from "./tenancy/lookups.js";
import { countGuildRequests, createGuildRequestCounter } from "./tenancy/request-counts.js";
import { createHostResolver, type HostResolver } from "./tenancy/resolver.js";
import { type TenancyConfig, tenancySettings } from "./tenancy/settings.js";

export interface AppDependencies {
	/** Identity settings (token lifetimes, password cost, cookie, origins, throttling) are optional: see config.ts for defaults. */
	config: Pick<Config, "APP_ENV" | "BODY_LIMIT" | "SHUTDOWN_TIMEOUT_MS" | "BENCH"> &
		Partial<
			Pick<
				Config,
				| "TRUST_PROXY"
				| "REFERENCE_CACHE_TTL_MS"
				| "REALTIME_HEARTBEAT_MS"
				| "REALTIME_MAX_BUFFERED_BYTES"
				| "UPLOAD_QUOTA_BYTES"
				| "UPLOADS_PER_MINUTE"
				| "SIGNED_URL_TTL_SECONDS"
			>
		> &
		IdentityConfig &
		TenancyConfig &
		Partial<Pick<Config, "USER_CACHE_TTL_MS" | "METRICS_TOKEN" | "DATABASE_URL" | "DATABASE_POOL_SIZE">> &
		Partial<Pick<Config, "FEATURE_FLAG_CACHE_TTL_MS" | "REQUEST_COUNT_FLUSH_MS">>;
	logger: Logger;
	db: Database;
	/** The time services read; tests pass one they can move. Default: the system clock. */
	clock?: Clock;
	/** The started job queue: services enqueue on it (mail delivery, syncs), the job routes read it. */
	jobs: JobQueue;
	/**
	 * The reference lists' cache. Default: one built here over `db` (TTL config REFERENCE_CACHE_TTL_MS). Pass your own to
	 * keep a handle on it: an in-process DofusDB sync (a job) invalidates it after changing data; tests count its loads.
	 */
	referenceCache?: ReferenceCache;
	/** This instance's started real-time hub (see runtime.ts); without one, GET /api/events and /api/ws answer 503. */
	realtime?: RealtimeHub;
	/**
	 * Which guild a host names (TTL config TENANT_CACHE_TTL_MS). Default: one built here over `db`, told of this app's own
	 * changes only; pass one that follows every instance's (`followTenantChanges`, as runtime.ts does).
	 */
	tenantCache?: TenantCache;
	/**
	 * Each user's cached hot reads (TTL config USER_CACHE_TTL_MS). Default: one built here, told of this app's own writes
	 * only; pass one that follows every instance's (`followUserChanges`, as runtime.ts does).
	 */
	userCache?: UserCache;
	/**
	 * Where uploaded files live (`createStorage(config)`, as runtime.ts makes it; the caller closes it). Without one,
	 * uploads and downloads answer 503 `storage.unavailable`.
	 */
	storage?: ObjectStorage;
	/** Where uploads wait while they are received and checked (deleted when their request ends). Default: the OS's. */
	uploadDirectory?: string;
	/**
	 * The feature flags and overrides (TTL config FEATURE_FLAG_CACHE_TTL_MS). Default: one built here over `db`, told of
	 * this app's own changes only; pass one that follows every instance's (`followFeatureFlagChanges`, as runtime.ts does).
	 */
	featureFlagCache?: FeatureFlagCache;
	/** GET /health/ready's view of this process, which runtime.ts tells of SIGTERM. Default: never shutting down. */
	readiness?: ReadinessState;
}

/** How many distinct Host headers `rememberPlatformHosts` keeps: a client sending random ones cannot grow it. */
const rememberedPlatformHosts = 64;

/**
 * The host resolver, answering a Host header it already resolved to the platform (no guild, no X-Guild) without
 * parsing it again. That answer depends on the settings alone (the base domain, platform hosts and reserved slugs), so
 * it holds for the process's life; a guild's host is not remembered here (its cache has lifetimes), nor an invalid or
 * unknown one (they throw). Parsing the host was a third of the framework's own time on `GET /hello`.
 */
export function rememberPlatformHosts(resolver: HostResolver, limit = rememberedPlatformHosts): HostResolver {
	const platform = new Set<string>();
	return {
		resolve(host, guildHeader) {
			if (guildHeader !== undefined || typeof host !== "string") return resolver.resolve(host, guildHeader);
			if (platform.has(host)) return undefined;
			const outcome = resolver.resolve(host, guildHeader);
			if (outcome === undefined && platform.size < limit) platform.add(host);
			return outcome;
		},
	};
}

/** What a client reads when the database refused its request, by the status the refusal maps to. */
const databaseRefusalMessages = {
	400: "The database refused a value of the request.",
	404: "The request refers to something that does not exist.",
	409: "The request conflicts with existing data.",
} as const;

export function buildApp({
	config,
	logger,
	db,
	clock,
	jobs,
	referenceCache,
	realtime,
	tenantCache,
	userCache,
	storage,
	uploadDirectory,
	featureFlagCache,
	readiness,
}: AppDependencies): App {
	const app = createApp({
		environment: config.APP_ENV,
		bodyLimit: config.BODY_LIMIT,
		logger,
		accessLogger: createAccessLogger(logger),
		shutdownTimeout: config.SHUTDOWN_TIMEOUT_MS,
		trustProxy: config.TRUST_PROXY ?? 0,
	});
	// First of the onError hooks: whatever logs or shows the error next (the error handler, a DEV 500 body) sees no SQL parameter.
	app.addHook("onError", (_request, _response, error) => redactQueryParameters(error));
	// A database that is down, refuses connections or times a statement out: 503 DATABASE_UNAVAILABLE with Retry-After on every route.
	app.answerError(databaseUnavailableAnswer);
	// Constraint violations that slip past the checkers answer 4xx with a named info, never a 500.
	app.addHook("onError", (request, response, error) => {
		const mapped = mapDatabaseError(error);
		if (mapped === null) return;
		request.logger.info(
			{ info: mapped.info, constraint: mapped.constraint },
			"database constraint refused the request",
		);
		response
			.code(mapped.status)
			.info(mapped.info)
			.send({
				error: mapped.info,
				message: databaseRefusalMessages[mapped.status],
				...(config.APP_ENV === "DEV" ? { detail: mapped.detail } : {}),
			});
	});
	// Set by the test suite only (test/helpers/contract-coverage.ts), read here rather than in Config: tests build
	// apps with literal configs, and the recording must reach every app they build.
	const coverageDirectory = process.env.CONTRACT_COVERAGE_DIR;
	if (coverageDirectory !== undefined && coverageDirectory !== "") recordContractCoverage(app, coverageDirectory);
	// Every request's guild, from its host, before any route step (src/tenancy/).
	const tenancy = tenancySettings(config);
	const now = clock ?? systemClock;
	const tenants = tenantCache ?? createTenantTableCache(db, tenancy, now, logger);
	serveGuildHosts(app, {
		resolver: rememberPlatformHosts(createHostResolver(tenants, tenancy)),
		baseDomain: tenancy.baseDomain,
		now,
		logger,
	});
	// Requests per guild and hour, counted in memory and written in batches (GET /api/guilds/{id}/usage reads them).
	const requestCounter = createGuildRequestCounter({
		db,
		now,
		flushMs: config.REQUEST_COUNT_FLUSH_MS ?? 5_000,
		logger: logger.child({ component: "tenancy" }),
	});
	countGuildRequests(app, requestCounter);
	const flags = featureFlagCache ?? createFeatureFlagCache({ db, ttlMs: config.FEATURE_FLAG_CACHE_TTL_MS ?? 60_000 });
	const guildAddressing = {
		reservedSlugs: tenancy.reservedSlugs,
		slugRedirectMs: tenancy.slugRedirectMs,
		changed: tenants.forget,
	};
	// Each user's own hot reads, forgotten by every write that changes them, on every instance (services/user-cache.ts).
	const users = userCache ?? createUserCache(db, { ttlMs: config.USER_CACHE_TTL_MS ?? 300_000 });
	const identity = createIdentityServices({ db, config, logger, now: clock, jobs, guildAddressing, userViews: users });
	// GET /metrics only with a token; without one nothing is recorded, not even per request.
	const metricsToken = config.METRICS_TOKEN;
	const metrics =
		metricsToken === undefined
			? undefined
			: {
					token: metricsToken,
					registry: instrumentApp(app, {
						db,
						engine: config.DATABASE_URL === undefined ? "pglite" : "postgres",
						poolSize: config.DATABASE_POOL_SIZE,
						tenantCache: tenants,
						userCache: users,
						jobs,
						realtime,
					}),
				};
	const references = referenceCache ?? createReferenceCache({ db, ttlMs: config.REFERENCE_CACHE_TTL_MS ?? 3_600_000 });
	// Uploads: the files, their quota and rate limit, the pictures of characters and guilds (src/services/files.ts).
	const files = createFileService({
		db,
		storage: storage ?? unconfiguredStorage(),
		quota: createUploadQuota(config.UPLOAD_QUOTA_BYTES ?? 50 * 1024 * 1024),
		urlSeconds: config.SIGNED_URL_TTL_SECONDS ?? 300,
	});
	let signer: UrlSigner | undefined;
	const fileServices = {
		files,
		pictures: createPictureService(db, files),
		uploads: createUploadRateLimit(db, config.UPLOADS_PER_MINUTE ?? 20, now),
		// The key the filesystem storage signs with: derived from the keyring of SECRETS_KEY, as create-storage.ts does.
		signer: () => {
			signer ??= urlSignerFromKeyring(identity.settings.secrets());
			return signer;
		},
		now,
		uploadDirectory: uploadDirectory ?? tmpdir(),
	};
	declareRoutes(app, {
		db,
		readiness,
		userCache: users,
		metrics,
		files: fileServices,
		bench: config.BENCH,
		identity,
		referenceCache: references,
		tenancy: { settings: tenancy, addressing: { ...guildAddressing, now }, featureFlags: flags, requestCounter },
		realtime,
		realtimeSettings: {
			heartbeatMs: config.REALTIME_HEARTBEAT_MS ?? 15_000,
			maxBufferedBytes: config.REALTIME_MAX_BUFFERED_BYTES ?? 1_048_576,
		},
	});
	return app;
}
