// Public API of the data layer: open + migrate + seed in one call, and the types the rest of the app uses.
import type { Logger } from "pino";
import { keyringFromConfig, type SecretsConfig } from "../secrets/keyring.js";
import { type DatabaseConfig, type DatabaseHandle, openDatabase } from "./client.js";
import { migrateDatabase, withSchemaLock } from "./migrate.js";
import { sealTotpSecrets } from "./sealed-columns.js";
import { seedReferenceData } from "./seed/reference.js";

export { databaseUnavailableAnswer, isDatabaseUnavailable } from "./availability.js";
export {
	type Database,
	type DatabaseConfig,
	type DatabaseHandle,
	type Driver,
	type Engine,
	type Executor,
	openDatabase,
	type Schema,
	type Transaction,
	wrapPglite,
} from "./client.js";
export { type DatabaseErrorResponse, mapDatabaseError } from "./errors.js";
export {
	type MigrateOptions,
	migrateDatabase,
	migrationsApplied,
	migrationsFolder,
	schemaLockKey,
	withSchemaLock,
} from "./migrate.js";
export { type HotQueries, hotQueries } from "./queries.js";
export { queryRows } from "./raw.js";
export { redactQueryParameters } from "./redact.js";
export * as schema from "./schema/index.js";
export { type SealingReport, sealTotpSecrets, totpSecretContext } from "./sealed-columns.js";
export { type DemoSeedResult, demoUser, seedDemoData } from "./seed/demo.js";
export { type ReferenceCounts, seedReferenceData } from "./seed/reference.js";

/**
 * What the server does at boot: open the configured engine, apply pending migrations, seal secrets stored in
 * plain text or under a previous key (SECRETS_KEY; the development key when unset outside PROD), load reference data.
 */
export async function startDatabase(
	config: DatabaseConfig & Partial<SecretsConfig>,
	logger?: Pick<Logger, "info">,
): Promise<DatabaseHandle> {
	const started = performance.now();
	const keyring = keyringFromConfig(config);
	const handle = await openDatabase(config);
	try {
		await migrateDatabase(handle);
		const secrets = await sealTotpSecrets(handle.db, keyring);
		// Under the schema lock on PostgreSQL: instances starting together would otherwise insert the same new rows at
		// once, and ON CONFLICT (id) does not cover the other unique index (name): the later one fails with 23505.
		const counts =
			handle.engine === "postgres"
				? await withSchemaLock(handle, (tx) => seedReferenceData(tx))
				: await seedReferenceData(handle.db);
		logger?.info(
			{
				engine: handle.engine,
				reference: counts,
				secrets: { keyId: keyring.current.id, ...secrets },
				ms: Math.round(performance.now() - started),
			},
			"database ready",
		);
		return handle;
	} catch (error) {
		await handle.close().catch(() => {});
		throw error;
	}
}
