// Checker `serverExist`: a game server id from the reference data.
import { eq } from "drizzle-orm";
import { createChecker } from "../core/index.js";
import type { Database } from "../db/index.js";
import { servers } from "../db/schema/index.js";

export function createServerExist(db: Database) {
	return createChecker("serverExist").handler(async (serverId: number, output) => {
		const [row] = await db.select().from(servers).where(eq(servers.id, serverId));
		return row === undefined ? output("server.notfound", null) : output("server.exist", row);
	});
}
