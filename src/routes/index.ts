// Declares every route of the API on an app.
import type { App } from "../core/index.js";
import type { Database } from "../db/index.js";
import { declareBenchRoutes } from "./bench/bench.js";
import { declareHealthRoutes } from "./health/health.js";

export interface RouteDependencies {
	db: Database;
	/** Registers the benchmark-only routes (config BENCH). */
	bench: boolean;
}

export function declareRoutes(app: App, dependencies: RouteDependencies): void {
	declareHealthRoutes(app, dependencies.db);
	if (dependencies.bench) declareBenchRoutes(app);
}
