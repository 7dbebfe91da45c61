// Builds the Drizzle client for either engine: embedded PGlite (no DATABASE_URL) or PostgreSQL via postgres.js.
import { mkdirSync } from "node:fs";
import { PGlite } from "@electric-sql/pglite";
import type { PgDatabase, PgQueryResultHKT, PgTransaction } from "drizzle-orm/pg-core";
import { drizzle as drizzlePglite, type PgliteDatabase } from "drizzle-orm/pglite";
import { drizzle as drizzlePostgres, type PostgresJsDatabase } from "drizzle-orm/postgres-js";
import type { ExtractTablesWithRelations } from "drizzle-orm";
import postgres from "postgres";
import type { Config } from "../config.js";
import * as schema from "./schema/index.js";

export type Schema = typeof schema;

/** The one typed API the app uses, whatever the engine underneath. */
export type Database = PgDatabase<PgQueryResultHKT, Schema>;

/** What `db.transaction(async (tx) => …)` hands to its callback. */
export type Transaction = PgTransaction<PgQueryResultHKT, Schema, ExtractTablesWithRelations<Schema>>;

/** Services take an `Executor` so they can run inside or outside a caller's transaction. */
export type Executor = Database | Transaction;

export type Engine = "pglite" | "postgres";

/** The engine-specific client, for the few places that need it (migrations, test snapshots). */
export type Driver =
	| { engine: "pglite"; db: PgliteDatabase<Schema>; client: PGlite }
	| { engine: "postgres"; db: PostgresJsDatabase<Schema>; client: postgres.Sql };

export interface DatabaseHandle {
	readonly db: Database;
	readonly engine: Engine;
	readonly driver: Driver;
	/** Ends the pool or stops PGlite; safe to call twice. */
	close(): Promise<void>;
}

export type DatabaseConfig = Pick<Config, "DATABASE_URL" | "DATABASE_POOL_SIZE" | "PGLITE_DIR">;

export async function openDatabase(config: DatabaseConfig): Promise<DatabaseHandle> {
	return config.DATABASE_URL === undefined
		? openPglite(config.PGLITE_DIR)
		: openPostgres(config.DATABASE_URL, config.DATABASE_POOL_SIZE);
}

/** Wraps an existing PGlite instance (tests restore one from a snapshot). */
export function wrapPglite(client: PGlite): DatabaseHandle {
	const db = drizzlePglite({ client, schema });
	return handle({ engine: "pglite", db, client }, async () => {
		if (!client.closed) await client.close();
	});
}

async function openPglite(dataDir: string): Promise<DatabaseHandle> {
	// PGlite creates the data directory itself but not its parents (`./.data` on a fresh clone).
	if (!dataDir.includes("://")) mkdirSync(dataDir, { recursive: true });
	return wrapPglite(await PGlite.create(dataDir));
}

function openPostgres(url: string, poolSize: number): DatabaseHandle {
	const client = postgres(url, {
		max: poolSize,
		// Migrations' `CREATE … IF NOT EXISTS` emit notices; they are not worth a log line each.
		onnotice: () => {},
		connection: { application_name: "dofus-manager" },
	});
	const db = drizzlePostgres({ client, schema });
	return handle({ engine: "postgres", db, client }, () => client.end({ timeout: 5 }));
}

function handle(driver: Driver, end: () => Promise<void>): DatabaseHandle {
	let closing: Promise<void> | undefined;
	return {
		db: driver.db,
		engine: driver.engine,
		driver,
		close: () => (closing ??= end()),
	};
}
