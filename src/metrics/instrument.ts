// Wires the metrics of one app: its registry, the per-request hook, and the collectors of every part that keeps figures.
import type { Registry } from "prom-client";
import type { App } from "../core/index.js";
import type { Database, Engine } from "../db/index.js";
import type { JobQueue } from "../jobs/queue.js";
import type { RealtimeHub } from "../realtime/hub.js";
import type { UserCache } from "../services/user-cache.js";
import type { TenantCache } from "../tenancy/cache.js";
import { recordDatabaseMetrics } from "./database.js";
import { recordRequestMetrics } from "./http.js";
import { recordJobMetrics } from "./jobs.js";
import { recordRealtimeMetrics } from "./realtime.js";
import { createMetricsRegistry } from "./registry.js";
import { recordTenantMetrics } from "./tenancy.js";
import { recordUserCacheMetrics } from "./user-cache.js";

export interface InstrumentedParts {
	db: Database;
	engine: Engine;
	poolSize: number | undefined;
	tenantCache: Pick<TenantCache, "stats">;
	userCache: Pick<UserCache, "stats">;
	jobs: Pick<JobQueue, "kinds" | "store">;
	realtime: Pick<RealtimeHub, "connectionCount"> | undefined;
}

/** Call before the routes are declared, so that the request hook runs for all of them. */
export function instrumentApp(app: App, parts: InstrumentedParts): Registry {
	const registry = createMetricsRegistry();
	recordRequestMetrics(app, registry);
	recordTenantMetrics(registry, parts.tenantCache);
	recordUserCacheMetrics(registry, parts.userCache);
	recordDatabaseMetrics(registry, parts);
	recordJobMetrics(registry, parts.jobs);
	if (parts.realtime !== undefined) recordRealtimeMetrics(registry, parts.realtime);
	return registry;
}
