// Migrations apply on an empty database of the tested engine, twice without harm, and the boot sequence uses them.
import { getTableName, is, sql } from "drizzle-orm";
import { PgTable } from "drizzle-orm/pg-core";
import { describe, expect, it } from "vitest";
import journal from "../../drizzle/meta/_journal.json" with { type: "json" };
import { type Database, openDatabase } from "../../src/db/client.js";
import { startDatabase } from "../../src/db/index.js";
import { migrateDatabase } from "../../src/db/migrate.js";
import { queryRows } from "../../src/db/raw.js";
import * as schema from "../../src/db/schema/index.js";
import { classes, users } from "../../src/db/schema/index.js";
import { createEmptyDatabaseConfig, testEngine } from "../helpers/database.js";

// Every table the schema declares, so migrations added by later issues are covered too.
const expectedTables = (Object.values(schema) as unknown[])
	.filter((value): value is PgTable => is(value, PgTable))
	.map((table) => getTableName(table))
	.sort();

async function publicTables(db: Database): Promise<string[]> {
	const rows = await queryRows<{ table_name: string }>(
		db,
		sql`select table_name from information_schema.tables where table_schema = 'public'`,
	);
	return rows.map((row) => row.table_name).sort();
}

async function appliedMigrations(db: Database): Promise<number> {
	const rows = await queryRows<{ count: number }>(
		db,
		sql`select count(*)::int as count from drizzle.__drizzle_migrations`,
	);
	return rows[0]?.count ?? -1;
}

describe(`migrations (${testEngine()})`, () => {
	it("apply every migration to an empty database, and a second run changes nothing", async () => {
		const { config, drop } = await createEmptyDatabaseConfig();
		const handle = await openDatabase(config);
		try {
			expect(await publicTables(handle.db)).toEqual([]);

			await migrateDatabase(handle);
			expect(await publicTables(handle.db)).toEqual(expectedTables);
			expect(await appliedMigrations(handle.db)).toBe(journal.entries.length);

			await migrateDatabase(handle);
			expect(await appliedMigrations(handle.db)).toBe(journal.entries.length);
		} finally {
			await handle.close();
			await drop();
		}
	}, 60_000);

	it("startDatabase migrates and loads reference data, and a restart keeps the data", async () => {
		const { config, drop } = await createEmptyDatabaseConfig();
		try {
			const first = await startDatabase(config);
			expect(first.engine).toBe(testEngine());
			await first.db.insert(users).values({ email: "kept@example.test", passwordHash: "x", displayName: "Kept" });
			expect(await first.db.$count(classes)).toBe(19);
			await first.close();

			const second = await startDatabase(config);
			expect(await second.db.$count(users)).toBe(1);
			expect(await second.db.$count(classes)).toBe(19);
			await second.close();
		} finally {
			await drop();
		}
	}, 60_000);
});
