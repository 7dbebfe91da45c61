// Zod schemas of the bodies the job routes answer (and the admin sync route's job reference).
import { z } from "zod";
import { jobStates } from "../../jobs/job-store.js";

export const jobProgressSchema = z.object({
	done: z.number().int(),
	total: z.number().int(),
	message: z.string().nullable(),
});

/** A background job as its owner and the administrators see it: never who asked, never a stack. */
export const jobSchema = z.object({
	id: z.string(),
	/** The job kind (`dofusdb.sync`). */
	name: z.string(),
	state: z.enum(jobStates),
	progress: jobProgressSchema.nullable(),
	attempts: z.number().int(),
	maxAttempts: z.number().int(),
	createdAt: z.date(),
	startedAt: z.date().nullable(),
	completedAt: z.date().nullable(),
	/** The last failure's message, while retrying and once failed. */
	error: z.string().nullable(),
	/** What the job returned, once completed (JSON); null before. */
	output: z.unknown(),
});

/** Where a job just enqueued can be followed: `GET /api/jobs/{id}`. */
export const jobReferenceSchema = z.object({ id: z.string() });
