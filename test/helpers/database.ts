// Test databases for every suite: one per test file (restored PGlite snapshot, or PostgreSQL template clone), reset between tests.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { getTableName, is, sql } from "drizzle-orm";
import { PgTable } from "drizzle-orm/pg-core";
import { pino } from "pino";
import { inject } from "vitest";
import {
	type Database,
	type DatabaseConfig,
	type DatabaseHandle,
	type Engine,
	openDatabase,
	wrapPglite,
} from "../../src/db/client.js";
import * as schema from "../../src/db/schema/index.js";
import { jobKinds } from "../../src/jobs/kinds.js";
import { createJobQueue, type JobQueue } from "../../src/jobs/queue.js";
import { afterFile } from "./after-file.js";
import { loadPgliteSnapshot } from "./pglite-snapshot.js";
import { dropDatabase, recreateDatabase } from "./postgres-test-databases.js";
import "./test-database-source.js";

let current: Promise<DatabaseHandle> | undefined;
/** The file's API-side job queue (enqueues and reads, runs nothing), started with its database. */
const queues = new WeakMap<Database, JobQueue>();

const silentLogger = pino({ level: "silent" });

/** Which engine this run tests: PGlite, or PostgreSQL when TEST_DATABASE_URL is set. */
export function testEngine(): Engine {
	return inject("testDatabase").engine;
}

/**
 * The test file's database, created on first call: migrated, with reference data, and whatever earlier
 * tests of the file left unless they call `resetTestDatabase` (typically in `beforeEach`).
 */
export async function getTestDatabase(): Promise<Database> {
	return (await getTestDatabaseHandle()).db;
}

/** Same database, with its engine and driver, for the tests that need them. */
export function getTestDatabaseHandle(): Promise<DatabaseHandle> {
	current ??= openTestDatabase();
	return current;
}

async function openTestDatabase(): Promise<DatabaseHandle> {
	const source = inject("testDatabase");
	const handle =
		source.engine === "pglite"
			? wrapPglite(await loadPgliteSnapshot(source.snapshotPath))
			: await openDatabase(
					postgresConfig(await recreateDatabase(source.url, source.runId, workerLabel(), source.templateName)),
				);
	afterFile(async () => {
		current = undefined;
		await handle.close();
	});
	const queue = createJobQueue({ handle, kinds: jobKinds, logger: silentLogger, role: "api", poolSize: 1 });
	await queue.start();
	// Registered after the database's close: cleanups run last-first, so the queue stops before the database closes.
	afterFile(() => queue.stop({ timeoutMs: 1000 }));
	queues.set(handle.db, queue);
	return handle;
}

/** The job queue apps built on the file's database enqueue on (mail delivery…); nothing runs its jobs. */
export function testJobQueueOf(db: Database): JobQueue {
	const queue = queues.get(db);
	if (queue === undefined) throw new Error("no job queue for this database: get it from getTestDatabase()");
	return queue;
}

// Every table except the reference ones, which ship with the code and are the same for every test.
const resettableTables = (Object.values(schema) as unknown[])
	.filter((value): value is PgTable => is(value, PgTable))
	.filter((table) => !(schema.referenceTables as readonly PgTable[]).includes(table))
	.map((table) => `"${getTableName(table)}"`);

/** Empties every non-reference table and restarts identities, so ids are predictable in each test. */
export async function resetTestDatabase(db: Database): Promise<void> {
	await retryOnDeadlock(() =>
		db.execute(sql.raw(`truncate table ${resettableTables.join(", ")} restart identity cascade`)),
	);
	// pg-boss's jobs and schedules too (its queues stay: a started queue created them and keeps them cached).
	await retryOnDeadlock(() => db.execute(sql.raw("truncate table pgboss.job, pgboss.schedule cascade")));
}

/**
 * TRUNCATE takes exclusive locks table by table: a worker of the previous test still polling pg-boss's tables (its
 * stop is in flight) can take them in the other order, and PostgreSQL breaks the tie by failing one side. Trying again
 * once the worker has moved on is all it takes.
 */
async function retryOnDeadlock(run: () => Promise<unknown>): Promise<void> {
	for (let attempt = 1; ; attempt++) {
		try {
			await run();
			return;
		} catch (error) {
			const code =
				(error as { cause?: { code?: string }; code?: string }).cause?.code ?? (error as { code?: string }).code;
			if (code !== "40P01" || attempt === 5) throw error;
			await new Promise((resolve) => setTimeout(resolve, 50 * attempt));
		}
	}
}

/**
 * Config for a brand-new empty database of the tested engine (no migrations applied), for tests of
 * migrating and booting. PGlite gets an on-disk directory whose parents do not exist yet, like a fresh clone.
 * Slow (a fresh PGlite boots in seconds): use sparingly.
 */
export async function createEmptyDatabaseConfig(): Promise<{ config: DatabaseConfig; drop: () => Promise<void> }> {
	const source = inject("testDatabase");
	if (source.engine === "pglite") {
		const folder = await mkdtemp(join(tmpdir(), "dofus-manager-pglite-"));
		const drop = () => rm(folder, { recursive: true, force: true });
		afterFile(drop);
		return { config: { PGLITE_DIR: join(folder, "nested", "pglite"), DATABASE_POOL_SIZE: 1 }, drop };
	}
	const label = `empty_${workerLabel()}`;
	const url = await recreateDatabase(source.url, source.runId, label, null);
	const drop = () => dropDatabase(source.url, source.runId, label);
	afterFile(drop);
	return { config: postgresConfig(url), drop };
}

function postgresConfig(url: string): DatabaseConfig {
	return { DATABASE_URL: url, DATABASE_POOL_SIZE: 4, PGLITE_DIR: "memory://" };
}

/** Distinct per concurrent worker (1..maxWorkers), reused by the files a worker runs one after another. */
function workerLabel(): string {
	return `w${process.env.VITEST_POOL_ID ?? process.env.VITEST_WORKER_ID ?? "1"}`;
}
