// Builds the Drizzle client for either engine: embedded PGlite (no DATABASE_URL) or PostgreSQL via postgres.js.
import { mkdirSync } from "node:fs";
import { PGlite } from "@electric-sql/pglite";
import type { ExtractTablesWithRelations } from "drizzle-orm";
import type { PgDatabase, PgQueryResultHKT, PgTransaction } from "drizzle-orm/pg-core";
import { drizzle as drizzlePglite, type PgliteDatabase } from "drizzle-orm/pglite";
import { drizzle as drizzlePostgres, type PostgresJsDatabase } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import { type Config, configSchema } from "../config.js";
import { lockDirectory } from "./directory-lock.js";
import { gateWhileDown } from "./outage-gate.js";
import { withReservedTransactions } from "./reserved-transactions.js";
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
	| {
			engine: "postgres";
			db: PostgresJsDatabase<Schema>;
			client: postgres.Sql;
			/** The connection URL, for clients that open their own connections (the job queue). Holds the password: never log it. */
			url: string;
			/**
			 * Where LISTEN connections go: DATABASE_LISTEN_URL, straight to PostgreSQL when `url` is a pooler in transaction
			 * mode (which cannot hold a LISTEN between transactions), else `url`. Holds the password too.
			 */
			listenUrl: string;
			/** The client LISTEN goes through (notifications.ts): on `listenUrl`, opening its one connection on first use. */
			listener: postgres.Sql;
	  };

export interface DatabaseHandle {
	readonly db: Database;
	readonly engine: Engine;
	readonly driver: Driver;
	/** Ends the pool or stops PGlite; safe to call twice. */
	close(): Promise<void>;
}

/** The timeouts are optional here (tests and scripts build configs by hand): unset, they take config.ts's defaults. */
export type DatabaseConfig = Pick<Config, "DATABASE_URL" | "DATABASE_POOL_SIZE" | "PGLITE_DIR"> &
	Partial<
		Pick<
			Config,
			"DATABASE_CONNECT_TIMEOUT_MS" | "DATABASE_STATEMENT_TIMEOUT_MS" | "DATABASE_PREPARE" | "DATABASE_LISTEN_URL"
		>
	>;

export async function openDatabase(config: DatabaseConfig): Promise<DatabaseHandle> {
	return config.DATABASE_URL === undefined ? openPglite(config.PGLITE_DIR) : openPostgres(config.DATABASE_URL, config);
}

/** Wraps an existing PGlite instance (tests restore one from a snapshot). */
export function wrapPglite(client: PGlite): DatabaseHandle {
	const db = drizzlePglite({ client, schema });
	return handle({ engine: "pglite", db, client }, async () => {
		if (!client.closed) await client.close();
	});
}

async function openPglite(dataDir: string): Promise<DatabaseHandle> {
	if (dataDir.includes("://")) return wrapPglite(await PGlite.create(dataDir));
	// PGlite creates the data directory itself but not its parents (`./.data` on a fresh clone).
	mkdirSync(dataDir, { recursive: true });
	const release = lockDirectory(dataDir);
	try {
		const client = await PGlite.create(dataDir);
		return handle({ engine: "pglite", db: drizzlePglite({ client, schema }), client }, async () => {
			try {
				if (!client.closed) await client.close();
			} finally {
				release();
			}
		});
	} catch (error) {
		release();
		throw error;
	}
}

/**
 * Delay before a pool connection retries after a failed or lost connection, in seconds (postgres.js's
 * `backoff`). Its default grows to 20 s, so the service stayed down long after the database was back;
 * this one starts at 25 ms and stops growing at 250 ms, with jitter so a pool does not retry in lockstep.
 * Retrying that often costs the server nothing during an outage: the outage gate lets one query through
 * every 250 ms, so connection attempts follow those probes, not the request rate.
 */
export function reconnectDelay(retries: number): number {
	return Math.min(0.025 * 2 ** retries, 0.25) * (0.5 + Math.random() / 2);
}

function openPostgres(url: string, config: DatabaseConfig): DatabaseHandle {
	const connectTimeoutMs =
		config.DATABASE_CONNECT_TIMEOUT_MS ?? configSchema.shape.DATABASE_CONNECT_TIMEOUT_MS.parse(undefined);
	const statementTimeoutMs =
		config.DATABASE_STATEMENT_TIMEOUT_MS ?? configSchema.shape.DATABASE_STATEMENT_TIMEOUT_MS.parse(undefined);
	const prepare = config.DATABASE_PREPARE ?? true;
	const options = {
		// postgres.js counts in seconds. Its default (30 s) let requests hang on an unreachable server.
		connect_timeout: connectTimeoutMs / 1000,
		backoff: reconnectDelay,
		// Off, no statement is named, whatever Drizzle asks (postgres.js's own option wins over the query's): what
		// PgBouncer in transaction mode needs, since the next transaction may run on another server connection.
		prepare,
		// Migrations' `CREATE … IF NOT EXISTS` emit notices; they are not worth a log line each.
		onnotice: () => {},
		// Startup parameters: every connection of the pool gets the statement timeout, without a round trip. (PgBouncer
		// refuses unknown startup parameters: see docs/production.md for `ignore_startup_parameters`.)
		connection: { application_name: "dofus-manager", statement_timeout: statementTimeoutMs },
	} satisfies postgres.Options<Record<string, postgres.PostgresType>>;
	// Off, a connection also sends one query at a time (and transactions reserve theirs: reserved-transactions.ts).
	// postgres.js pipelines queries on a busy connection, and sends a parameterised statement it has not prepared as
	// Parse + Describe + Flush first: PgBouncer (1.18) hands the server connection back to its pool at the ReadyForQuery
	// of the query before, and the answer to the Describe, which comes after, is dropped ("got packet '1' from server
	// when not linked"): the connection then waits for it forever.
	const pooled = postgres(url, { ...options, max: config.DATABASE_POOL_SIZE, ...(prepare ? {} : { max_pipeline: 0 }) });
	const client = prepare ? pooled : withReservedTransactions(pooled);
	const listenUrl = config.DATABASE_LISTEN_URL ?? url;
	// postgres.js opens one connection for all of a client's LISTENs, on first use; a client of its own sends them
	// elsewhere. Its pool never opens: nothing but listen() goes through it.
	const listener = listenUrl === url ? client : postgres(listenUrl, { ...options, max: 1 });
	// Queries fail at once while the server is known unreachable rather than queue for a connection (outage-gate.ts).
	const gated = gateWhileDown(client);
	const db = drizzlePostgres({ client: gated, schema });
	return handle({ engine: "postgres", db, client: gated, url, listenUrl, listener }, async () => {
		await Promise.all([pooled.end({ timeout: 5 }), listener === client ? undefined : listener.end({ timeout: 5 })]);
	});
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
