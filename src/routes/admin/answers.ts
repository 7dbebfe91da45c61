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

const flagSchema = z.object({
	name: z.string(),
	description: z.string(),
	/** The global value: every guild without an override of its own, and requests for no guild. */
	enabled: z.boolean(),
	/** The code gates something with it (it exists, with its default, before anyone sets it). */
	known: z.boolean(),
	/** Set by an admin; false: the code's default. */
	stored: z.boolean(),
	overrides: z.array(z.object({ guildId: z.number(), enabled: z.boolean() })),
});

const flagBody = z.object({ flag: flagSchema });
const overrideBody = z.object({ override: z.object({ flag: z.string(), guildId: z.number(), enabled: z.boolean() }) });

export const featureFlagAnswers = {
	list: answer(200, "feature_flag.list", z.object({ flags: z.array(flagSchema) })),
	created: answer(201, "feature_flag.created", flagBody),
	updated: answer(200, "feature_flag.updated", flagBody),
	overrideCreated: answer(201, "feature_flag.override_created", overrideBody),
	overrideUpdated: answer(200, "feature_flag.override_updated", overrideBody),
	overrideDeleted: answer(204, "feature_flag.override_deleted"),
	notFound: refusal(404, "feature_flag.notfound", "No such feature flag: create it with PUT first."),
	guildNotFound: refusal(404, "guild.notfound", "No such guild."),
	overrideNotFound: refusal(404, "feature_flag.override_notfound", "This guild has no value of its own for this flag."),
};
