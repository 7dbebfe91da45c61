// Public API of the data layer: open + migrate + seed in one call, and the types the rest of the app uses.
import type { Logger } from "pino";
import { openDatabase, type DatabaseConfig, type DatabaseHandle } from "./client.js";
import { migrateDatabase } from "./migrate.js";
import { seedReferenceData } from "./seed/reference.js";

export {
	openDatabase,
	wrapPglite,
	type Database,
	type DatabaseConfig,
	type DatabaseHandle,
	type Driver,
	type Engine,
	type Executor,
	type Schema,
	type Transaction,
} from "./client.js";
export { migrateDatabase, migrationsFolder, type MigrateOptions } from "./migrate.js";
export { seedReferenceData, type ReferenceCounts } from "./seed/reference.js";
export { seedDemoData, demoUser, type DemoSeedResult } from "./seed/demo.js";
export { mapDatabaseError, type DatabaseErrorResponse } from "./errors.js";
export { databaseUnavailableAnswer, isDatabaseUnavailable } from "./availability.js";
export { redactQueryParameters } from "./redact.js";
export { hotQueries, type HotQueries } from "./queries.js";
export { queryRows } from "./raw.js";
export * as schema from "./schema/index.js";

/** What the server does at boot: open the configured engine, apply pending migrations, load reference data. */
export async function startDatabase(config: DatabaseConfig, logger?: Pick<Logger, "info">): Promise<DatabaseHandle> {
	const started = performance.now();
	const handle = await openDatabase(config);
	try {
		await migrateDatabase(handle);
		const counts = await seedReferenceData(handle.db);
		logger?.info(
			{ engine: handle.engine, reference: counts, ms: Math.round(performance.now() - started) },
			"database ready",
		);
		return handle;
	} catch (error) {
		await handle.close().catch(() => {});
		throw error;
	}
}
