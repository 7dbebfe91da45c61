// Builds the Dofus Manager app from its dependencies: framework settings, global hooks, routes.
import type { Logger } from "pino";
import type { Config } from "./config.js";
import { createApp, type App } from "./core/index.js";
import { mapDatabaseError, type Database } from "./db/index.js";
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
	// Constraint violations that slip past the checkers answer 4xx with a named info, never a 500.
	app.addHook("onError", (request, response, error) => {
		const mapped = mapDatabaseError(error);
		if (mapped === null) return;
		request.logger.info({ info: mapped.info, constraint: mapped.constraint }, "database constraint refused the request");
		response
			.code(mapped.status)
			.info(mapped.info)
			.send({ error: mapped.info, message: "The request conflicts with existing data.", ...(config.APP_ENV === "DEV" ? { detail: mapped.detail } : {}) });
	});
	declareRoutes(app, { db, bench: config.BENCH });
	return app;
}
