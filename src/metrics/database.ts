// Database figures at scrape time: the engine, the pool's size, and how long a trivial query takes to get through.
import { sql } from "drizzle-orm";
import type { Registry } from "prom-client";
import type { Database, Engine } from "../db/index.js";
import { registerCollected } from "./collected.js";

/** A scrape never waits longer than this for the database: the process figures matter most when it is down. */
const probeTimeoutMs = 1_000;

/** Resolves with `work`'s result, or undefined when it failed or took longer than the timeout. */
export async function withinTimeout<T>(work: () => Promise<T>): Promise<T | undefined> {
	let timer: NodeJS.Timeout | undefined;
	const timeout = new Promise<undefined>((resolve) => {
		timer = setTimeout(resolve, probeTimeoutMs, undefined);
	});
	try {
		return await Promise.race([work().catch(() => undefined), timeout]);
	} finally {
		clearTimeout(timer);
	}
}

/**
 * postgres.js keeps its pool's state to itself (no in-use or idle count), so the pool is seen from outside: its size,
 * and the time `select 1` takes at scrape time — the wait for a free connection plus a round trip, which climbs as the
 * pool saturates. PGlite runs inside the process, one query at a time: the same probe is its queue's wait.
 */
export function recordDatabaseMetrics(
	registry: Registry,
	{ db, engine, poolSize }: { db: Database; engine: Engine; poolSize: number | undefined },
): void {
	registerCollected(registry, {
		name: "dofus_manager_database_info",
		help: "The database engine: pglite (embedded, in this process) or postgres (a server, through a pool).",
		type: "gauge",
		collect: () => [{ labels: { engine }, value: 1 }],
	});
	registerCollected(registry, {
		name: "dofus_manager_database_embedded",
		help: "1 when the database is PGlite, embedded in this process (no pool, no server); 0 on PostgreSQL.",
		type: "gauge",
		collect: () => [{ value: engine === "pglite" ? 1 : 0 }],
	});
	if (engine === "postgres" && poolSize !== undefined)
		registerCollected(registry, {
			name: "dofus_manager_database_pool_size",
			help: "Connections the PostgreSQL pool opens at most (DATABASE_POOL_SIZE).",
			type: "gauge",
			collect: () => [{ value: poolSize }],
		});
	registerCollected(registry, {
		name: "dofus_manager_database_probe_seconds",
		help: "How long `select 1` took at this scrape: waiting for a pool connection (or PGlite's queue) and the round trip. Absent when it failed or took over 1 s.",
		type: "gauge",
		collect: async () => {
			const started = performance.now();
			const done = await withinTimeout(() => db.execute(sql`select 1`).then(() => true));
			return done === true ? [{ value: (performance.now() - started) / 1000 }] : [];
		},
	});
	registerCollected(registry, {
		name: "dofus_manager_database_up",
		help: "1 when the scrape's `select 1` answered within 1 s.",
		type: "gauge",
		collect: async () => [{ value: (await withinTimeout(() => db.execute(sql`select 1`).then(() => 1))) ?? 0 }],
	});
}
