// Platform-admin routes: start a DofusDB sync on demand, and the job queue's statistics per kind.
import type { App } from "../../core/index.js";
import { dofusDbSyncJob } from "../../jobs/kinds.js";
import { adminAnswers } from "./answers.js";
import type { PlatformRouteDependencies } from "./guards.js";

export function declareAdminRoutes(_app: App, { services, guards }: PlatformRouteDependencies): void {
	const { jobs } = services;
	const { platformAdminRoute } = guards;
	const { syncQueued, syncAlreadyRunning, jobStats } = adminAnswers;

	platformAdminRoute
		.declareRoute("POST", "/api/admin/sync/dofusdb")
		.cut(
			async (_floor, response) => {
				// The singleton kind would still take one queued job beside an active one: a sync at a time is the rule.
				const sync = (await jobs.store.stats([dofusDbSyncJob.name]))[dofusDbSyncJob.name];
				if (sync !== undefined && sync.queued + sync.active + sync.retrying > 0) syncAlreadyRunning.send(response);
			},
			[],
			syncAlreadyRunning,
		)
		.handler(
			async ({ pickup }, response) => {
				const id = await jobs.enqueue(dofusDbSyncJob, {}, { requestedBy: pickup("user").id });
				// null: another request queued one since the check above.
				if (id === null) return syncAlreadyRunning.send(response);
				response.header("location", `/api/jobs/${id}`);
				return syncQueued.respond(response, { job: { id } });
			},
			syncQueued,
			syncAlreadyRunning,
		);

	platformAdminRoute.declareRoute("GET", "/api/admin/jobs/stats").handler(async (_floor, response) => {
		const stats = await jobs.store.stats(jobs.kinds.map((kind) => kind.name));
		return jobStats.respond(response, { kinds: Object.entries(stats).map(([name, counts]) => ({ name, ...counts })) });
	}, jobStats);
}
