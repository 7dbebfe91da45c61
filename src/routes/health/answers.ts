// What GET /health answers, each said once: the route sends these values and declares them.
import { z } from "zod";
import { answer } from "../../core/index.js";

const healthSchema = z.object({ status: z.enum(["ok", "degraded"]), database: z.enum(["ok", "unreachable"]) });

export const healthAnswers = {
	ok: answer(200, "health.ok", healthSchema),
	/** The process is up but the database did not answer in time. */
	degraded: answer(503, "health.degraded", healthSchema),
};
