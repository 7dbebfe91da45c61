// Applies the pending migrations of drizzle/ with the migrator of the handle's engine.
import { fileURLToPath } from "node:url";
import type { MigrationConfig } from "drizzle-orm/migrator";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import { migrate as migratePostgres } from "drizzle-orm/postgres-js/migrator";
import type { DatabaseHandle } from "./client.js";

/** Repository's drizzle/ folder: two levels up from both src/db/ (tsx) and dist/db/ (compiled). */
export const migrationsFolder = fileURLToPath(new URL("../../drizzle/", import.meta.url));

export type MigrateOptions = Omit<MigrationConfig, "migrationsFolder">;

/** Idempotent: the journal in `drizzle.__drizzle_migrations` skips what was already applied. */
export async function migrateDatabase(handle: DatabaseHandle, options: MigrateOptions = {}): Promise<void> {
	const config: MigrationConfig = { migrationsFolder, ...options };
	const { driver } = handle;
	if (driver.engine === "pglite") await migratePglite(driver.db, config);
	else await migratePostgres(driver.db, config);
}
