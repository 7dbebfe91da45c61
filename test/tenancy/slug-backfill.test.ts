// The slug migrations on a database that already has guilds: each gets the slug its name suggests, then slugs are required.
import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "drizzle-orm";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import { migrate as migratePostgres } from "drizzle-orm/postgres-js/migrator";
import { describe, expect, it } from "vitest";
import { type DatabaseHandle, openDatabase } from "../../src/db/client.js";
import { migrateDatabase, migrationsFolder } from "../../src/db/migrate.js";
import { queryRows } from "../../src/db/raw.js";
import { createEmptyDatabaseConfig, testEngine } from "../helpers/database.js";

/** The migrations folder as it was before guilds had slugs (the journal cut before `tag`). */
async function migrationsBefore(tag: string): Promise<{ folder: string; remove: () => Promise<void> }> {
	const folder = await mkdtemp(join(tmpdir(), "dofus-migrations-"));
	await cp(migrationsFolder, folder, { recursive: true });
	const journalPath = join(folder, "meta", "_journal.json");
	const journal = JSON.parse(await readFile(journalPath, "utf8")) as { entries: { tag: string }[] };
	const cut = journal.entries.findIndex((entry) => entry.tag === tag);
	expect(cut).toBeGreaterThan(0);
	await writeFile(journalPath, JSON.stringify({ ...journal, entries: journal.entries.slice(0, cut) }));
	return { folder, remove: () => rm(folder, { recursive: true, force: true }) };
}

async function migrateWith(handle: DatabaseHandle, folder: string): Promise<void> {
	const { driver } = handle;
	if (driver.engine === "pglite") await migratePglite(driver.db, { migrationsFolder: folder });
	else await migratePostgres(driver.db, { migrationsFolder: folder });
}

describe(`guild slug migrations (${testEngine()})`, () => {
	it("give existing guilds slugs derived from their names, unique, never reserved, then require them", async () => {
		const { config, drop } = await createEmptyDatabaseConfig();
		const before = await migrationsBefore("0006_guild_slugs_domains");
		const handle = await openDatabase(config);
		try {
			await migrateWith(handle, before.folder);
			const names = [
				"Les Bworks",
				"Les Bworks 2",
				"Les Bworks",
				"Admin",
				"Io",
				"日本",
				"L'Élite du CRÂ",
				"Œuvres Æternelles",
			];
			for (const name of names) await handle.db.execute(sql`insert into guilds (name) values (${name})`);

			await migrateDatabase(handle);

			const rows = await queryRows<{ name: string; slug: string }>(
				handle.db,
				sql`select name, slug from guilds order by id`,
			);
			expect(rows.map((row) => row.slug)).toEqual([
				"les-bworks",
				"les-bworks-2",
				"les-bworks-3",
				"admin-2",
				"io-guild",
				"guild",
				"l-elite-du-cra",
				"oeuvres-aeternelles",
			]);
			await expect(handle.db.execute(sql`insert into guilds (name) values ('Sans slug')`)).rejects.toThrow();
		} finally {
			await handle.close();
			await before.remove();
			await drop();
		}
	}, 90_000);
});
