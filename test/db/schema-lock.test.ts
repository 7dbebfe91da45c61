// Schema changes by several processes at once on one empty PostgreSQL database, under the schema lock: our migrations
// and pg-boss's install, each finding what the previous one did; and whether a database holds this build's migrations.
import { sql } from "drizzle-orm";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import journal from "../../drizzle/meta/_journal.json" with { type: "json" };
import { type DatabaseHandle, openDatabase } from "../../src/db/client.js";
import { migrateDatabase, migrationsApplied, withSchemaLock } from "../../src/db/migrate.js";
import { queryRows } from "../../src/db/raw.js";
import { installJobSchema } from "../../src/jobs/schema.js";
import { createEmptyDatabaseConfig, testEngine } from "../helpers/database.js";

async function journalRows(handle: DatabaseHandle): Promise<number> {
	const [row] = await queryRows<{ count: number }>(
		handle.db,
		sql`select count(*)::int as count from drizzle.__drizzle_migrations`,
	);
	return row?.count ?? -1;
}

/** `count` handles on one new empty database of the tested engine, closed after `task`. */
async function withHandles<T>(count: number, task: (handles: DatabaseHandle[]) => Promise<T>): Promise<T> {
	const { config } = await createEmptyDatabaseConfig();
	const handles = await Promise.all(Array.from({ length: count }, () => openDatabase(config)));
	try {
		return await task(handles);
	} finally {
		await Promise.all(handles.map((handle) => handle.close()));
	}
}

describe(`migrationsApplied (${testEngine()})`, () => {
	it("is false on an empty database and true once every shipped migration is applied", async () => {
		await withHandles(1, async ([handle]) => {
			if (handle === undefined) throw new Error("no handle");
			expect(await migrationsApplied(handle.db)).toBe(false);
			await migrateDatabase(handle);
			expect(await migrationsApplied(handle.db)).toBe(true);
		});
	}, 60_000);

	it("is false while the newest shipped migration is missing from the journal", async () => {
		await withHandles(1, async ([handle]) => {
			if (handle === undefined) throw new Error("no handle");
			await migrateDatabase(handle);
			await handle.db.execute(
				sql`delete from drizzle.__drizzle_migrations where created_at = (select max(created_at) from drizzle.__drizzle_migrations)`,
			);
			expect(await migrationsApplied(handle.db)).toBe(false);
		});
	}, 60_000);
});

describe.runIf(testEngine() === "postgres")("the schema lock (PostgreSQL)", () => {
	it("applies every migration once when three processes' handles migrate one empty database at once", async () => {
		await withHandles(3, async (handles) => {
			await Promise.all(handles.map((handle) => migrateDatabase(handle)));
			for (const handle of handles) expect(await journalRows(handle)).toBe(journal.entries.length);
			expect(await migrationsApplied(handles[0]?.db as DatabaseHandle["db"])).toBe(true);
		});
	}, 60_000);

	it("installs pg-boss's schema once when three queues start on one empty database at once", async () => {
		await withHandles(3, async (handles) => {
			// Under the schema lock: the starts that waited find pg-boss installed (without it, one sometimes failed on a
			// unique violation of pg_namespace, its catalog cache unaware of the schema committed meanwhile).
			await Promise.all(handles.map((handle) => installJobSchema(handle, pino({ level: "silent" }))));
			const [row] = await queryRows<{ count: number }>(
				handles[0]?.db as DatabaseHandle["db"],
				sql`select count(*)::int as count from pgboss.version`,
			);
			expect(row?.count).toBe(1);
		});
	}, 60_000);

	it("makes a second holder wait until the first one's transaction ends", async () => {
		await withHandles(2, async ([first, second]) => {
			if (first === undefined || second === undefined) throw new Error("no handles");
			const order: string[] = [];
			let release: () => void = () => {};
			const held = new Promise<void>((resolve) => {
				release = resolve;
			});
			let entered: () => void = () => {};
			const firstIn = new Promise<void>((resolve) => {
				entered = resolve;
			});
			const firstTask = withSchemaLock(first, async () => {
				order.push("first in");
				entered();
				await held;
				order.push("first out");
			});
			await firstIn;
			const secondTask = withSchemaLock(second, async () => {
				order.push("second in");
			});
			await new Promise((resolve) => setTimeout(resolve, 300));
			expect(order).toEqual(["first in"]);
			release();
			await Promise.all([firstTask, secondTask]);
			expect(order).toEqual(["first in", "first out", "second in"]);
		});
	}, 30_000);
});
