// Job routes: my background jobs (listed, filtered, paginated), one job's state and progress, and cancelling it.
import { z } from "zod";
import { type App, storableTextCheck } from "../../core/index.js";
import { type JobView, jobStates } from "../../jobs/job-store.js";
import type { PlatformRouteDependencies } from "../admin/guards.js";
import { limitQuery, pageQuery } from "../query.js";
import { jobAnswers } from "./answers.js";

/** pg-boss ids are UUIDs: anything else is a 400 here, never a failed `::uuid` cast in SQL. */
export const jobIdParam = z.uuid().check(storableTextCheck);

/** What the API shows of a job: everything but who asked for it. */
export function publicJob({ requestedBy: _requestedBy, ...job }: JobView) {
	return job;
}

export function declareJobRoutes(_app: App, { services, guards }: PlatformRouteDependencies): void {
	const { jobs } = services;
	const { authenticatedRoute, jobVisible } = guards;
	const kindNames = jobs.kinds.map((kind) => kind.name);

	authenticatedRoute
		.declareRoute("GET", "/api/jobs")
		.extract({
			query: {
				state: z.enum(jobStates).optional(),
				name: z.enum(kindNames).optional(),
				page: pageQuery,
				limit: limitQuery,
			},
		})
		.handler(async ({ pickup }, response) => {
			const page = pickup("page");
			const limit = pickup("limit");
			const found = await jobs.store.list({
				requestedBy: pickup("user").id,
				state: pickup("state"),
				name: pickup("name"),
				limit,
				offset: (page - 1) * limit,
			});
			return jobAnswers.list.respond(response, {
				jobs: found.jobs.map(publicJob),
				pagination: { page, limit, total: found.total, totalPages: Math.ceil(found.total / limit) },
			});
		}, jobAnswers.list);

	authenticatedRoute
		.declareRoute("GET", "/api/jobs/{jobId}")
		.extract({ params: { jobId: jobIdParam } })
		.presetCheck(jobVisible, (pickup) => ({ jobId: pickup("jobId"), user: pickup("user") }))
		.handler(
			({ pickup }, response) => jobAnswers.found.respond(response, { job: publicJob(pickup("job")) }),
			jobAnswers.found,
		);

	authenticatedRoute
		.declareRoute("POST", "/api/jobs/{jobId}/cancel")
		.extract({ params: { jobId: jobIdParam } })
		.presetCheck(jobVisible, (pickup) => ({ jobId: pickup("jobId"), user: pickup("user") }))
		.handler(
			async ({ pickup }, response) => {
				const outcome = await jobs.cancel(pickup("jobId"));
				if (outcome === "finished") return jobAnswers.finished.send(response);
				// "missing": pg-boss dropped it (retention) between the check and now.
				const job = outcome === "cancelled" ? await jobs.store.find(pickup("jobId")) : null;
				if (job === null) return jobAnswers.notFound.send(response);
				return jobAnswers.cancelled.respond(response, { job: publicJob(job) });
			},
			jobAnswers.cancelled,
			jobAnswers.finished,
			jobAnswers.notFound,
		);
}
