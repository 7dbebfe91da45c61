// Builds the Dofus Manager app from its dependencies: framework settings, global hooks, routes.
import type { Logger } from "pino";
import type { Config } from "./config.js";
import { recordContractCoverage } from "./contract-coverage.js";
import { createApp, type App } from "./core/index.js";
import { mapDatabaseError, type Database } from "./db/index.js";
import { declareRoutes } from "./routes/index.js";
import { createIdentityServices } from "./services/identity.js";
import type { MailTransport } from "./services/mail.js";
import type { Clock, IdentityConfig } from "./services/settings.js";

export interface AppDependencies {
	/** Identity settings (token lifetimes, password cost, cookie, origins, throttling) are optional: see config.ts for defaults. */
	config: Pick<Config, "APP_ENV" | "BODY_LIMIT" | "SHUTDOWN_TIMEOUT_MS" | "BENCH"> & Partial<Pick<Config, "TRUST_PROXY">> & IdentityConfig;
	logger: Logger;
	db: Database;
	/** The time services read; tests pass one they can move. Default: the system clock. */
	clock?: Clock;
	/** Where outbox mail is delivered; default: a log line (without the body) per mail. */
	mailTransport?: MailTransport;
}

export function buildApp({ config, logger, db, clock, mailTransport }: AppDependencies): App {
	const app = createApp({
		environment: config.APP_ENV,
		bodyLimit: config.BODY_LIMIT,
		logger,
		shutdownTimeout: config.SHUTDOWN_TIMEOUT_MS,
		trustProxy: config.TRUST_PROXY ?? 0,
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
	// Set by the test suite only (test/helpers/contract-coverage.ts), read here rather than in Config: tests build
	// apps with literal configs, and the recording must reach every app they build.
	const coverageDirectory = process.env.CONTRACT_COVERAGE_DIR;
	if (coverageDirectory !== undefined && coverageDirectory !== "") recordContractCoverage(app, coverageDirectory);
	const identity = createIdentityServices({ db, config, logger, now: clock, mailTransport });
	declareRoutes(app, { db, bench: config.BENCH, identity });
	return app;
}
