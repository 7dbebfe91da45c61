// `npm run openapi`: writes the API's OpenAPI document to openapi.json at the repository root (or the path given).
import { writeFile } from "node:fs/promises";
import { resolve } from "node:path";
import { pino } from "pino";
import { buildApp } from "../app.js";
import { openDatabase } from "../db/index.js";
import { jobKinds } from "../jobs/kinds.js";
import { createJobQueue } from "../jobs/queue.js";
import { buildOpenApiDocument } from "../openapi.js";

const target = resolve(process.argv[2] ?? new URL("../../openapi.json", import.meta.url).pathname);
// Declaring routes needs a database handle but never queries it: an empty in-memory PGlite will do.
const handle = await openDatabase({ PGLITE_DIR: "memory://", DATABASE_POOL_SIZE: 1 });
try {
	const logger = pino({ level: "silent" });
	const app = buildApp({
		config: { APP_ENV: "PROD", BODY_LIMIT: 1_048_576, SHUTDOWN_TIMEOUT_MS: 1000, BENCH: false },
		logger,
		db: handle.db,
		// Never started: routes are declared, not called.
		jobs: createJobQueue({ handle, logger, kinds: jobKinds, role: "api" }),
	});
	await writeFile(target, `${JSON.stringify(buildOpenApiDocument(app), null, 2)}\n`);
	console.log(`OpenAPI document written to ${target} (${app.routes.length} routes)`);
} finally {
	await handle.close();
}
