// GET /health: liveness of the process and reachability of the database.
import { sql } from "drizzle-orm";
import type { App } from "../../core/index.js";
import type { Database } from "../../db/index.js";
import { healthAnswers } from "./answers.js";

/**
 * How long the probe may wait for `select 1`. A load balancer polls this route with its own short timeout:
 * during an outage the query may sit in the pool's queue until a connection attempt fails, so the route
 * answers "unreachable" itself rather than hang.
 */
const probeTimeoutMs = 500;

/** Resolves true when the database answered in time; never rejects. */
function probe(db: Database): Promise<boolean> {
	let timer: NodeJS.Timeout | undefined;
	const timeout = new Promise<boolean>((resolve) => {
		timer = setTimeout(resolve, probeTimeoutMs, false);
	});
	const query = db.execute(sql`select 1`).then(
		() => true,
		() => false,
	);
	return Promise.race([query, timeout]).finally(() => clearTimeout(timer));
}

export function declareHealthRoutes(app: App, db: Database): void {
	app.declareRoute("GET", "/health").handler(
		async (_floor, response) => {
			if (!(await probe(db)))
				return healthAnswers.degraded.send(response, { status: "degraded", database: "unreachable" });
			return healthAnswers.ok.send(response, { status: "ok", database: "ok" });
		},
		healthAnswers.ok,
		healthAnswers.degraded,
	);
}
