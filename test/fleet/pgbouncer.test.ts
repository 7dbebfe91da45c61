// The app's database client through PgBouncer in transaction mode (DATABASE_PREPARE=false): many concurrent queries on
// a small pool, with and without parameters, transactions and their savepoints, migrations and the hot queries. A
// throwaway PostgreSQL of the test's own, in both suite runs.
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DatabaseHandle, openDatabase } from "../../src/db/client.js";
import { migrateDatabase } from "../../src/db/migrate.js";
import { hotQueries } from "../../src/db/queries.js";
import { queryRows } from "../../src/db/raw.js";
import { type PgBouncer, requirePgBouncer, startPgBouncer } from "../helpers/pgbouncer.js";
import { startThrowawayPostgres, type ThrowawayPostgres } from "../helpers/throwaway-postgres.js";

let server: ThrowawayPostgres;
let bouncer: PgBouncer;
let handle: DatabaseHandle;

beforeAll(async () => {
	// Without PgBouncer every test here fails with this message (how to install it): the suite needs it.
	requirePgBouncer();
	server = await startThrowawayPostgres();
	await server.createDatabase("pooled");
	bouncer = await startPgBouncer({ postgresPort: server.port });
	handle = await openDatabase({
		DATABASE_URL: bouncer.url("pooled"),
		DATABASE_POOL_SIZE: 2,
		PGLITE_DIR: "memory://",
		DATABASE_PREPARE: false,
	});
}, 60_000);

afterAll(async () => {
	await handle?.close();
	await bouncer?.stop();
	await server?.remove();
});

async function count(table: string): Promise<number> {
	const [row] = await queryRows<{ count: number }>(handle.db, sql.raw(`select count(*)::int as count from ${table}`));
	return row?.count ?? -1;
}

describe(`the database client through PgBouncer in transaction mode (DATABASE_PREPARE=false)`, () => {
	it("answers 400 concurrent queries, with and without parameters, on a pool of two", async () => {
		// Pipelined on a busy connection, a parameterised query's Describe was answered after PgBouncer had handed the
		// server connection back at the previous query's end: its answer was dropped, the connection waited forever.
		const queries = Array.from({ length: 400 }, (_, index) =>
			index % 2 === 0 ? handle.db.execute(sql`select ${index}::int as n`) : handle.db.execute(sql`select 1 as n`),
		);
		const outcome = await Promise.race([
			Promise.all(queries).then(() => "all answered"),
			// The hang is forever: a minute tells it from a slow machine.
			new Promise((resolve) => setTimeout(resolve, 60_000, "some never answered")),
		]);
		expect(outcome, bouncer.log()).toBe("all answered");
		expect(bouncer.log()).not.toContain("when not linked");
	}, 90_000);

	it("commits a transaction, rolls back one that throws, and rolls back a savepoint alone", async () => {
		await handle.db.execute(sql`create table if not exists pooled_rows (label text not null)`);
		await handle.db.transaction(async (tx) => {
			await tx.execute(sql`insert into pooled_rows values (${"committed"})`);
		});
		await expect(
			handle.db.transaction(async (tx) => {
				await tx.execute(sql`insert into pooled_rows values (${"rolled back"})`);
				throw new Error("changed my mind");
			}),
		).rejects.toThrow("changed my mind");
		await handle.db.transaction(async (tx) => {
			await tx.execute(sql`insert into pooled_rows values (${"outer"})`);
			await tx
				.transaction(async (nested) => {
					await nested.execute(sql`insert into pooled_rows values (${"nested"})`);
					throw new Error("not this one");
				})
				.catch(() => {});
		});
		const rows = await queryRows<{ label: string }>(handle.db, sql`select label from pooled_rows order by label`);
		expect(rows.map((row) => row.label)).toEqual(["committed", "outer"]);
	});

	it("runs concurrent transactions each on its own connection", async () => {
		await handle.db.execute(sql`create table if not exists pooled_counter (n int not null)`);
		await Promise.all(
			Array.from({ length: 20 }, (_, index) =>
				handle.db.transaction(async (tx) => {
					await tx.execute(sql`insert into pooled_counter values (${index})`);
					await tx.execute(sql`select pg_sleep(0.01)`);
					await tx.execute(sql`insert into pooled_counter values (${index + 100})`);
				}),
			),
		);
		expect(await count("pooled_counter")).toBe(40);
	}, 60_000);

	it("migrates the database and runs the hot queries, which Drizzle names, unnamed", async () => {
		await migrateDatabase(handle);
		expect(await count("drizzle.__drizzle_migrations")).toBeGreaterThan(0);
		for (let round = 0; round < 3; round++) {
			expect(await hotQueries(handle.db).sessionByAccessTokenHash.execute({ hash: "none" })).toEqual([]);
			expect(await hotQueries(handle.db).teamById.execute({ id: round })).toEqual([]);
		}
	}, 60_000);
});
