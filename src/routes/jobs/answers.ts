// What the job routes answer, each said once: the routes send these values and declare them.
import { z } from "zod";
import { answer, refusal } from "../../core/index.js";
import { paginationSchema } from "../characters/schemas.js";
import { jobSchema } from "./schemas.js";

const jobBody = z.object({ job: jobSchema });

export const jobAnswers = {
	list: answer(200, "job.list", z.object({ jobs: z.array(jobSchema), pagination: paginationSchema })),
	found: answer(200, "job.found", jobBody),
	cancelled: answer(200, "job.cancelled", jobBody),
	/** Someone else's job (for a caller who is not a platform admin) answers exactly like a missing one. */
	notFound: refusal(404, "job.not_found", "No such job."),
	finished: refusal(409, "job.finished", "The job has already completed, failed or been cancelled."),
};
