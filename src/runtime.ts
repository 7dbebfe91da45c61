// The process model: what `node dist/main.js` (the API, with the workers when WORKER=inline) and `node dist/worker.js`
// (workers only) start, and the order they stop in. Both entry points are a few lines over this.
import type { Logger } from "pino";
import { buildApp } from "./app.js";
import type { Config } from "./config.js";
import type { App } from "./core/index.js";
import { type DatabaseHandle, startDatabase } from "./db/index.js";
import { jobKinds } from "./jobs/kinds.js";
import { createJobQueue, type JobQueue } from "./jobs/queue.js";
import { createRealtimeHub, type RealtimeHub } from "./realtime/hub.js";
import { createReadinessState, type ReadinessState } from "./routes/health/readiness.js";
import { createEventRoomResolver } from "./services/event-rooms.js";
import { createReferenceCache } from "./services/reference-cache.js";
import { followReferenceChanges } from "./services/reference-changes.js";
import { createSessionLiveness } from "./services/session-liveness.js";
import { systemClock } from "./services/settings.js";
import { createUserCache } from "./services/user-cache.js";
import { followUserChanges } from "./services/user-changes.js";
import { createStorage, type ObjectStorage } from "./storage/index.js";
import { followTenantChanges } from "./tenancy/changes.js";
import { createFeatureFlagCache } from "./tenancy/feature-flag-cache.js";
import { followFeatureFlagChanges } from "./tenancy/feature-flag-changes.js";
import { createTenantTableCache } from "./tenancy/lookups.js";
import { tenancySettings } from "./tenancy/settings.js";
import { startWorkers } from "./workers/index.js";

export type ProcessRole = "api" | "worker";

export interface Runtime {
	readonly database: DatabaseHandle;
	readonly jobs: JobQueue;
	/** Set for the API role. */
	readonly app: App | undefined;
	/** The API role's real-time hub (its SSE and WebSocket connections). */
	readonly realtime: RealtimeHub | undefined;
	/** Whether this process runs job handlers. */
	readonly working: boolean;
	/** Where uploaded files live (STORAGE_DRIVER): the API serves them, the workers clean them up. */
	readonly storage: ObjectStorage;
	/** What GET /health/ready reports: not ready from the first moment of stop(). */
	readonly readiness: ReadinessState;
	/**
	 * Says not ready (GET /health/ready answers 503), keeps serving for SHUTDOWN_DRAIN_MS while load balancers take the
	 * instance out, then stops taking requests, then jobs (running ones may finish within their grace period), then the
	 * database.
	 */
	stop(): Promise<void>;
}

/** WORKER unset: inline on PGlite (one process may open its data directory), off on PostgreSQL. */
export function workerMode(config: Pick<Config, "WORKER" | "DATABASE_URL">): "inline" | "off" {
	return config.WORKER ?? (config.DATABASE_URL === undefined ? "inline" : "off");
}

export async function startRuntime(config: Config, logger: Logger, role: ProcessRole): Promise<Runtime> {
	const database = await startDatabase(config, logger);
	const working = role === "worker" || workerMode(config) === "inline";
	const jobs = createJobQueue({
		handle: database,
		logger: logger.child({ component: "jobs" }),
		kinds: jobKinds,
		role: working ? "worker" : "api",
		poolSize: working ? config.WORKER_CONCURRENCY + 2 : 2,
		pollSeconds: config.JOB_POLL_SECONDS,
		superviseSeconds: config.JOB_SUPERVISE_SECONDS,
		instanceName: role === "worker" ? "worker" : working ? "api+worker" : "api",
	});
	const storage = createStorage(config);
	const readiness = createReadinessState();
	let app: App | undefined;
	let stopWorkers: (() => Promise<void>) | undefined;
	let unfollow: (() => Promise<void>) | undefined;
	let unfollowTenants: (() => Promise<void>) | undefined;
	let unfollowUsers: (() => Promise<void>) | undefined;
	let unfollowFlags: (() => Promise<void>) | undefined;
	let realtime: RealtimeHub | undefined;
	try {
		await jobs.start();
		if (working) stopWorkers = await startWorkers({ config, logger, database, jobs, storage });
		if (role === "api") {
			const referenceCache = createReferenceCache({ db: database.db, ttlMs: config.REFERENCE_CACHE_TTL_MS });
			// A sync run by any worker (or the CLI) empties this instance's cached lists when it commits.
			unfollow = await followReferenceChanges(database, referenceCache, logger);
			if (config.APP_ENV === "PROD" && config.BASE_DOMAIN === "localhost")
				logger.warn(
					"BASE_DOMAIN is localhost: only IP hosts, localhost, *.localhost, PLATFORM_HOSTS and active custom domains are served; any other Host answers 404 guild.unknown_host",
				);
			// A slug, a domain or a guild changed on any instance: this one resolves that host again at once.
			const tenantCache = createTenantTableCache(database.db, tenancySettings(config), systemClock, logger);
			unfollowTenants = await followTenantChanges(database, tenantCache, logger.child({ component: "tenancy" }));
			// A write on any instance that changes a user's cached reads: this one forgets them at once.
			const userCache = createUserCache(database.db, { ttlMs: config.USER_CACHE_TTL_MS });
			unfollowUsers = await followUserChanges(database, userCache, logger.child({ component: "user-cache" }));
			// A flag or a guild's value of it set on any instance: this one reads the flags again at once.
			const featureFlagCache = createFeatureFlagCache({ db: database.db, ttlMs: config.FEATURE_FLAG_CACHE_TTL_MS });
			unfollowFlags = await followFeatureFlagChanges(
				database,
				featureFlagCache,
				logger.child({ component: "tenancy" }),
			);
			realtime = createRealtimeHub({
				handle: database,
				resolveRooms: createEventRoomResolver(database.db),
				sessionsAlive: createSessionLiveness(database.db, systemClock),
				settings: {
					replaySeconds: config.REALTIME_REPLAY_SECONDS,
					maxConnectionsPerUser: config.REALTIME_MAX_CONNECTIONS_PER_USER,
					maxConnections: config.REALTIME_MAX_CONNECTIONS,
				},
				logger: logger.child({ component: "realtime" }),
			});
			await realtime.start();
			app = buildApp({
				config,
				logger,
				db: database.db,
				jobs,
				referenceCache,
				realtime,
				tenantCache,
				userCache,
				storage,
				featureFlagCache,
				readiness,
			});
		}
	} catch (error) {
		await unfollow?.().catch(() => {});
		await unfollowTenants?.().catch(() => {});
		await unfollowUsers?.().catch(() => {});
		await unfollowFlags?.().catch(() => {});
		await realtime?.stop().catch(() => {});
		await stopWorkers?.().catch(() => {});
		await jobs.stop({ timeoutMs: 1000 }).catch(() => {});
		await storage.close().catch(() => {});
		await database.close().catch(() => {});
		throw error;
	}

	const longestTimeoutMs = Math.max(...jobKinds.map((kind) => kind.timeoutSeconds)) * 1000;
	let stopping: Promise<void> | undefined;
	return {
		database,
		jobs,
		app,
		realtime,
		working,
		storage,
		readiness,
		stop: () => {
			stopping ??= (async () => {
				readiness.shuttingDown();
				// Everything is still served meanwhile, keep-alive included: only the readiness check says to go elsewhere.
				if (app !== undefined && config.SHUTDOWN_DRAIN_MS > 0)
					await new Promise((resolve) => setTimeout(resolve, config.SHUTDOWN_DRAIN_MS));
				await app?.close();
				await realtime?.stop();
				await unfollow?.().catch(() => {});
				await unfollowTenants?.().catch(() => {});
				await unfollowUsers?.().catch(() => {});
				await unfollowFlags?.().catch(() => {});
				// Running jobs may finish within their kind's timeout (the longest is the grace period); what is still
				// running then is failed here and retried by another worker.
				await jobs.stop({ timeoutMs: working ? longestTimeoutMs : config.SHUTDOWN_TIMEOUT_MS });
				// After the jobs: a clean-up still running uses the storage until it stops.
				await stopWorkers?.();
				await storage.close();
				await database.close();
			})();
			return stopping;
		},
	};
}
