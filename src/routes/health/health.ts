// GET /health: liveness of the process and reachability of the database.
import { sql } from "drizzle-orm";
import type { App } from "../../core/index.js";
import type { Database } from "../../db/index.js";

export function declareHealthRoutes(app: App, db: Database): void {
	app.declareRoute("GET", "/health").handler(async (_floor, response) => {
		try {
			await db.execute(sql`select 1`);
		} catch {
			response.code(503).info("health.degraded").send({ status: "degraded", database: "unreachable" });
		}
		response.code(200).info("health.ok").send({ status: "ok", database: "ok" });
	});
}
