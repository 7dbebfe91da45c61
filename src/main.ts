// Boot: config → logger → database (migrated, seeded) → app → listen; SIGTERM/SIGINT shut down gracefully.
import { buildApp } from "./app.js";
import { type Config, ConfigError, loadConfig } from "./config.js";
import { startDatabase } from "./db/index.js";
import { createLogger } from "./logger.js";

let config: Config;
try {
	config = loadConfig();
} catch (error) {
	if (!(error instanceof ConfigError)) throw error;
	process.stderr.write(`${error.message}\n`);
	process.exit(1);
}

const logger = createLogger(config);
const database = await startDatabase(config, logger);
const app = buildApp({ config, logger, db: database.db });
const address = await app.listen({ host: config.HOST, port: config.PORT });
logger.info(
	{ ...address, environment: config.APP_ENV, engine: database.engine },
	`Dofus Manager listening on http://${address.host}:${address.port}`,
);

let stopping = false;
async function stop(signal: NodeJS.Signals): Promise<void> {
	if (stopping) return;
	stopping = true;
	logger.info({ signal }, "shutting down");
	try {
		await app.close();
		await database.close();
		logger.info("stopped");
		process.exit(0);
	} catch (error) {
		logger.error({ err: error }, "shutdown failed");
		process.exit(1);
	}
}
process.once("SIGTERM", (signal) => void stop(signal));
process.once("SIGINT", (signal) => void stop(signal));
