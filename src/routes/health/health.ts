// GET /health (the process and its database), GET /health/live (the process) and GET /health/ready (whether a load
// balancer should send it traffic). See docs/production.md, *Health endpoints*.
import { sql } from "drizzle-orm";
import type { App } from "../../core/index.js";
import type { Database } from "../../db/index.js";
import { healthAnswers } from "./answers.js";
import { createReadinessState, type ReadinessState } from "./readiness.js";

/**
 * How long the probe may wait for `select 1`. A load balancer polls these routes with its own short timeout:
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

/** `readiness`: the runtime's, told of SIGTERM; without one (tests, scripts) the process never reports shutting down. */
export function declareHealthRoutes(app: App, db: Database, readiness: ReadinessState = createReadinessState()): void {
	app.declareRoute("GET", "/health").handler(
		async (_floor, response) => {
			if (!(await probe(db)))
				return healthAnswers.degraded.send(response, { status: "degraded", database: "unreachable" });
			return healthAnswers.ok.send(response, { status: "ok", database: "ok" });
		},
		healthAnswers.ok,
		healthAnswers.degraded,
	);

	// No database, no state: a process that answers at all is alive. Restart it only when this fails.
	app
		.declareRoute("GET", "/health/live")
		.handler((_floor, response) => healthAnswers.live.send(response, { status: "live" }), healthAnswers.live);

	app.declareRoute("GET", "/health/ready").handler(
		async (_floor, response) => {
			const report = await readiness.check(db, await probe(db));
			return report.status === "ready"
				? healthAnswers.ready.send(response, report)
				: healthAnswers.notReady.send(response, report);
		},
		healthAnswers.ready,
		healthAnswers.notReady,
	);
}
