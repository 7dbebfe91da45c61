// `npm run worker` / `node dist/worker.js`: job workers only, no HTTP. Run any number next to the API instances on one
// PostgreSQL (on PGlite the API runs them inline). SIGTERM: stop taking jobs, let running ones finish, exit 0.
import { loadConfigOrExit } from "./config.js";
import { createLogger } from "./logger.js";
import { startRuntime } from "./runtime.js";
import { stopOnSignals } from "./signals.js";

const config = loadConfigOrExit();

const logger = createLogger(config);
const runtime = await startRuntime(config, logger, "worker");
logger.info(
	{ engine: runtime.database.engine, concurrency: config.WORKER_CONCURRENCY },
	"Dofus Manager worker started",
);
stopOnSignals(runtime, logger);
