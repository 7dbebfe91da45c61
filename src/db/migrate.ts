// Applies the pending migrations of drizzle/, one process at a time on PostgreSQL (an advisory lock), and says whether a
// database has them all (GET /health/ready).
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { sql } from "drizzle-orm";
import { type MigrationConfig, readMigrationFiles } from "drizzle-orm/migrator";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import type { Database, DatabaseHandle, Transaction } from "./client.js";
import { queryRows } from "./raw.js";

/** Repository's drizzle/ folder: two levels up from both src/db/ (tsx) and dist/db/ (compiled). */
export const migrationsFolder = fileURLToPath(new URL("../../drizzle/", import.meta.url));

export type MigrateOptions = Omit<MigrationConfig, "migrationsFolder">;

/**
 * The key of the transaction-scoped advisory lock every schema change of the app takes: our migrations, and pg-boss's
 * start, which installs or migrates its schema (src/jobs/queue.ts). A constant, so that every process and version of
 * the app agrees on it.
 */
export const schemaLockKey = "7310452118604027001";

/** How long a process waits for another one's schema change before it gives up (and exits, to be restarted). */
const schemaLockWaitMs = 5 * 60_000;

/**
 * Runs `task` in a transaction holding the schema lock: N processes starting together on one database change its
 * schema one after the other, each finding what the previous one did. Transaction-scoped (`pg_advisory_xact_lock`), so
 * it holds through PgBouncer in transaction mode, where a session lock would stay behind on a server connection that
 * the next client then shares. The statement timeout is lifted inside: the wait for the lock and a long migration are
 * bounded by `lock_timeout` and the deploy, not by the 10 s meant for requests. PostgreSQL only: on PGlite one process
 * holds the data directory, and its one connection could not serve a task's queries beside an open transaction.
 */
export async function withSchemaLock<T>(handle: DatabaseHandle, task: (tx: Transaction) => Promise<T>): Promise<T> {
	if (handle.engine !== "postgres") throw new Error("withSchemaLock is for PostgreSQL: PGlite has one process");
	return handle.db.transaction(async (tx) => {
		await tx.execute(sql`set local statement_timeout = 0`);
		await tx.execute(sql.raw(`set local lock_timeout = ${schemaLockWaitMs}`));
		await tx.execute(sql.raw(`select pg_advisory_xact_lock(${schemaLockKey})`));
		// What the previous holder committed while this one waited is not yet known to this session's catalog caches: an
		// advisory lock, unlike a table lock, does not make PostgreSQL read the invalidations. A cache that remembers the
		// schema as missing (a lookup this connection made earlier, for any client of a pooler) then sends `CREATE SCHEMA
		// IF NOT EXISTS` on to a unique violation. The first table lock of a transaction reads them: take one.
		await tx.execute(sql`select 1 from pg_catalog.pg_namespace limit 1`);
		return task(tx);
	});
}

/** Idempotent: the journal in `drizzle.__drizzle_migrations` skips what was already applied. */
export async function migrateDatabase(handle: DatabaseHandle, options: MigrateOptions = {}): Promise<void> {
	const config: MigrationConfig = { migrationsFolder, ...options };
	const { driver } = handle;
	if (driver.engine === "pglite") await migratePglite(driver.db, config);
	else await withSchemaLock(handle, (tx) => applyPending(tx, config));
}

function journalTable(config: MigrationConfig) {
	return sql`${sql.identifier(config.migrationsSchema ?? "drizzle")}.${sql.identifier(config.migrationsTable ?? "__drizzle_migrations")}`;
}

/**
 * What drizzle-orm's migrator does (pg-core dialect), in the caller's transaction: the same journal table, the same
 * rule (every migration newer than the last applied one), the same hash. Drizzle's own creates the journal outside its
 * transaction, where two processes racing on `CREATE SCHEMA IF NOT EXISTS` can fail, and reads the last applied
 * migration before its transaction: under the lock, the second process would read it before the first one's commit.
 */
async function applyPending(tx: Transaction, config: MigrationConfig): Promise<void> {
	const migrations = readMigrationFiles(config);
	const table = journalTable(config);
	await tx.execute(sql`create schema if not exists ${sql.identifier(config.migrationsSchema ?? "drizzle")}`);
	await tx.execute(
		sql`create table if not exists ${table} (id serial primary key, hash text not null, created_at bigint)`,
	);
	const [last] = await queryRows<{ created_at: string | null }>(
		tx,
		sql`select created_at from ${table} order by created_at desc limit 1`,
	);
	const lastApplied = last?.created_at === undefined || last.created_at === null ? undefined : Number(last.created_at);
	for (const migration of migrations) {
		if (lastApplied !== undefined && lastApplied >= migration.folderMillis) continue;
		for (const statement of migration.sql) await tx.execute(sql.raw(statement));
		await tx.execute(
			sql`insert into ${table} (hash, created_at) values (${migration.hash}, ${migration.folderMillis})`,
		);
	}
}

/** The `when` of the newest migration this build ships (drizzle/meta/_journal.json), read once. */
let newestShipped: number | undefined;

function newestShippedMigration(): number {
	if (newestShipped === undefined) {
		const journal = JSON.parse(readFileSync(`${migrationsFolder}meta/_journal.json`, "utf8")) as {
			entries: { when: number }[];
		};
		newestShipped = Math.max(0, ...journal.entries.map((entry) => entry.when));
	}
	return newestShipped;
}

/**
 * Whether the database holds every migration this build ships (a later build's are fine: a rolling deploy runs old
 * and new instances on the schema the new one migrated). Rejects when the database cannot be read; a database never
 * migrated has no journal and answers false.
 */
export async function migrationsApplied(db: Database): Promise<boolean> {
	const [journal] = await queryRows<{ present: boolean }>(
		db,
		sql`select to_regclass('drizzle.__drizzle_migrations') is not null as present`,
	);
	if (journal?.present !== true) return false;
	const [row] = await queryRows<{ newest: string | null }>(
		db,
		sql`select max(created_at) as newest from drizzle.__drizzle_migrations`,
	);
	return row?.newest !== undefined && row.newest !== null && Number(row.newest) >= newestShippedMigration();
}
