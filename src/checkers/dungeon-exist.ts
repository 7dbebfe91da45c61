// Checker `dungeonExist`: a dungeon id from the reference data (the ref of a `dungeon` progression).
import { eq } from "drizzle-orm";
import { createChecker } from "../core/index.js";
import type { Database } from "../db/index.js";
import { dungeons } from "../db/schema/index.js";

export function createDungeonExist(db: Database) {
	return createChecker("dungeonExist").handler(async (dungeonId: number, output) => {
		const [row] = await db.select().from(dungeons).where(eq(dungeons.id, dungeonId));
		return row === undefined ? output("dungeon.notfound", null) : output("dungeon.exist", row);
	});
}
