// Builds the Dofus Manager app from its dependencies: framework settings, global hooks, routes.
import type { Logger } from "pino";
import type { Config } from "./config.js";
import { createApp, type App } from "./core/index.js";
import type { Database } from "./db/index.js";
import { declareRoutes } from "./routes/index.js";

export interface AppDependencies {
	config: Pick<Config, "APP_ENV" | "BODY_LIMIT" | "SHUTDOWN_TIMEOUT_MS" | "BENCH">;
	logger: Logger;
	db: Database;
}

export function buildApp({ config, logger, db }: AppDependencies): App {
	const app = createApp({
		environment: config.APP_ENV,
		bodyLimit: config.BODY_LIMIT,
		logger,
		shutdownTimeout: config.SHUTDOWN_TIMEOUT_MS,
	});
	declareRoutes(app, { db });
	return app;
}
