// DATABASE_PREPARE=false: nothing is left prepared on a server connection, not even the hot queries Drizzle names, as
// PgBouncer in transaction mode needs (the next transaction may run on another server connection).
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { type DatabaseConfig, openDatabase } from "../../src/db/client.js";
import { migrateDatabase } from "../../src/db/migrate.js";
import { hotQueries } from "../../src/db/queries.js";
import { queryRows } from "../../src/db/raw.js";
import { createEmptyDatabaseConfig, testEngine } from "../helpers/database.js";

/** The statements the one connection of a pool of one holds after a hot lookup. */
async function preparedAfterHotLookup(config: DatabaseConfig): Promise<number> {
	const handle = await openDatabase({ ...config, DATABASE_POOL_SIZE: 1 });
	try {
		await migrateDatabase(handle);
		await hotQueries(handle.db).sessionByAccessTokenHash.execute({ hash: "no-such-hash" });
		await hotQueries(handle.db).teamById.execute({ id: 1 });
		const [row] = await queryRows<{ count: number }>(
			handle.db,
			sql`select count(*)::int as count from pg_prepared_statements`,
		);
		return row?.count ?? -1;
	} finally {
		await handle.close();
	}
}

describe.runIf(testEngine() === "postgres")("DATABASE_PREPARE (PostgreSQL)", () => {
	it("keeps the hot queries prepared on the connection by default", async () => {
		const { config } = await createEmptyDatabaseConfig();
		expect(await preparedAfterHotLookup(config)).toBeGreaterThanOrEqual(2);
	}, 30_000);

	it("sends every statement unnamed when false", async () => {
		const { config } = await createEmptyDatabaseConfig();
		expect(await preparedAfterHotLookup({ ...config, DATABASE_PREPARE: false })).toBe(0);
	}, 30_000);
});
