// Checker `classExist`: a character class id from the reference data.
import { eq } from "drizzle-orm";
import { createChecker } from "../core/index.js";
import type { Database } from "../db/index.js";
import { classes } from "../db/schema/index.js";

export function createClassExist(db: Database) {
	return createChecker("classExist").handler(async (classId: number, output) => {
		const [row] = await db.select().from(classes).where(eq(classes.id, classId));
		return row === undefined ? output("class.notfound", null) : output("class.exist", row);
	});
}
