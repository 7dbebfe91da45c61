// Reference-data fixtures: puts the shipped classes, servers and dungeons back after a test synced or edited them.
import { sql } from "drizzle-orm";
import type { Database } from "../../src/db/index.js";
import { seedReferenceData } from "../../src/db/seed/reference.js";
import { resetTestDatabase } from "./database.js";

/**
 * Empties user data (nothing then refers to reference rows), deletes every reference row and loads the shipped
 * ones again: the next test starts from the state a fresh start gives.
 */
export async function restoreReferenceData(db: Database): Promise<void> {
	await resetTestDatabase(db);
	await db.execute(sql`delete from dungeons`);
	await db.execute(sql`delete from servers`);
	await db.execute(sql`delete from classes`);
	await seedReferenceData(db);
}
