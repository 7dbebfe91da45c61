// `npm start` / `node dist/main.js`: the API (and, with WORKER=inline, the default on PGlite, the job workers), migrated
// and seeded at boot; SIGTERM/SIGINT stop it gracefully. See runtime.ts for the process model.
import { loadConfigOrExit } from "./config.js";
import { createLogger } from "./logger.js";
import { startRuntime, workerMode } from "./runtime.js";
import { stopOnSignals } from "./signals.js";

const config = loadConfigOrExit();

const logger = createLogger(config);
const runtime = await startRuntime(config, logger, "api");
const app = runtime.app as NonNullable<typeof runtime.app>;
const address = await app.listen({ host: config.HOST, port: config.PORT });
logger.info(
	{ ...address, environment: config.APP_ENV, engine: runtime.database.engine, workers: workerMode(config) },
	`Dofus Manager listening on http://${address.host}:${address.port}`,
);
stopOnSignals(runtime, logger);
