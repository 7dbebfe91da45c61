// GET /health: liveness of the process and reachability of the database.
import { sql } from "drizzle-orm";
import { z } from "zod";
import { IHaveSentThis, type App } from "../../core/index.js";
import type { Database } from "../../db/index.js";

export function declareHealthRoutes(app: App, db: Database): void {
	app.declareRoute("GET", "/health").handler(async (_floor, response) => {
		try {
			await db.execute(sql`select 1`);
		} catch {
			response.code(503).info("health.degraded").send({ status: "degraded", database: "unreachable" });
		}
		response.code(200).info("health.ok").send({ status: "ok", database: "ok" });
	},
	new IHaveSentThis(200, "health.ok", z.object({ status: z.literal("ok"), database: z.literal("ok") })),
	new IHaveSentThis(503, "health.degraded", z.object({ status: z.literal("degraded"), database: z.literal("unreachable") })));
}
