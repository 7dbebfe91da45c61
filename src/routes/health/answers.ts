// What GET /health, /health/live and /health/ready answer, each said once: the routes send these values and declare them.
import { z } from "zod";
import { answer } from "../../core/index.js";

const healthSchema = z.object({ status: z.enum(["ok", "degraded"]), database: z.enum(["ok", "unreachable"]) });

/** Each check of GET /health/ready; `failed` names those that did not pass. */
const readinessSchema = z.object({
	status: z.enum(["ready", "not_ready"]),
	failed: z.array(z.enum(["database", "migrations", "process"])),
	checks: z.object({
		/** `select 1` answered within 500 ms. */
		database: z.enum(["ok", "unreachable"]),
		/** Every migration this build ships is applied; `unknown` when the database could not be read. */
		migrations: z.enum(["applied", "pending", "unknown"]),
		/** `shutting_down` from the SIGTERM on, while the process still serves what it was sent. */
		process: z.enum(["serving", "shutting_down"]),
	}),
});

export type Readiness = z.infer<typeof readinessSchema>;

export const healthAnswers = {
	ok: answer(200, "health.ok", healthSchema),
	/** The process is up but the database did not answer in time. */
	degraded: answer(503, "health.degraded", healthSchema),
	/** The process serves HTTP: the only thing GET /health/live says, whatever the database does. */
	live: answer(200, "health.live", z.object({ status: z.literal("live") })),
	/** Send it traffic: the database answers, the schema is this build's, no shutdown has begun. */
	ready: answer(200, "health.ready", readinessSchema),
	/** Send it nothing new: `failed` says which check did not pass. */
	notReady: answer(503, "health.not_ready", readinessSchema),
};
