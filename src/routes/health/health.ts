// GET /health: liveness of the process and reachability of the database.
import { sql } from "drizzle-orm";
import { z } from "zod";
import { IHaveSentThis, type App } from "../../core/index.js";
import type { Database } from "../../db/index.js";

const healthSchema = z.object({ status: z.enum(["ok", "degraded"]), database: z.enum(["ok", "unreachable"]) });

export function declareHealthRoutes(app: App, db: Database): void {
	app.declareRoute("GET", "/health").handler(
		async (_floor, response) => {
			const reachable = await db.execute(sql`select 1`).then(
				() => true,
				() => false,
			);
			if (!reachable) return response.code(503).info("health.degraded").send({ status: "degraded", database: "unreachable" });
			return response.code(200).info("health.ok").send({ status: "ok", database: "ok" });
		},
		new IHaveSentThis(200, "health.ok", healthSchema),
		new IHaveSentThis(503, "health.degraded", healthSchema),
	);
}
