// What the admin routes answer, each said once: the routes send these values and declare them.
import { z } from "zod";
import { answer, refusal } from "../../core/index.js";
import { jobReferenceSchema } from "../jobs/schemas.js";

/** One job kind's counts, by API state, and how long its oldest due job has waited (null: none waits). */
const kindStatsSchema = z.object({
	name: z.string(),
	queued: z.number().int(),
	active: z.number().int(),
	retrying: z.number().int(),
	completed: z.number().int(),
	failed: z.number().int(),
	cancelled: z.number().int(),
	oldestQueuedSeconds: z.number().int().nullable(),
});

export const adminAnswers = {
	/** Sent with `Location: /api/jobs/{id}`. */
	syncQueued: answer(202, "sync.queued", z.object({ job: jobReferenceSchema })),
	syncAlreadyRunning: refusal(
		409,
		"sync.already_running",
		"A DofusDB sync is already queued or running: follow it under /api/jobs.",
	),
	jobStats: answer(200, "job.stats", z.object({ kinds: z.array(kindStatsSchema) })),
};
