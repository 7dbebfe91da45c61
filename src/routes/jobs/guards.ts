// The job checker, built once per app, and its preset: a job is seen by the user who caused it and by platform admins.
import { createChecker, createPresetChecker } from "../../core/index.js";
import type { IdentityServices } from "../../services/identity.js";
import { isPlatformAdmin } from "../../services/settings.js";
import { jobAnswers } from "./answers.js";

export function createJobGuards({ jobs, settings }: Pick<IdentityServices, "jobs" | "settings">) {
	/** `job.visible` (with the job), `job.hidden` (someone else's: routes answer 404), `job.notfound`. */
	const jobAccess = createChecker("jobAccess").handler(
		async (input: { jobId: string; user: { id: number; email: string } }, output) => {
			const job = await jobs.store.find(input.jobId);
			if (job === null) return output("job.notfound", null);
			if (job.requestedBy !== input.user.id && !isPlatformAdmin(settings, input.user.email)) {
				return output("job.hidden", null);
			}
			return output("job.visible", job);
		},
	);
	return {
		jobAccess,
		/** Drops `job`; a job the caller may not see is as unknown as a missing one. */
		jobVisible: createPresetChecker(jobAccess, { result: "job.visible", indexing: "job", catch: jobAnswers.notFound }),
	};
}

export type JobGuards = ReturnType<typeof createJobGuards>;
