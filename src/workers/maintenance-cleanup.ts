// The `maintenance.cleanup` job: runs the clean-up, reports a step per table, and returns (and logs) what it deleted.
import type { maintenanceCleanupJob } from "../jobs/kinds.js";
import type { JobContext } from "../jobs/queue.js";
import type { CleanupCounts, CleanupService } from "../services/cleanup.js";

export function maintenanceCleanupHandler({ cleanup }: { cleanup: CleanupService }) {
	return async (job: JobContext<typeof maintenanceCleanupJob>): Promise<CleanupCounts> => {
		const counts = await cleanup.run({
			signal: job.signal,
			onStep: (done, total, table) => job.progress(done, total, `cleaning ${table}`),
		});
		const total = Object.keys(counts).length;
		await job.progress(total, total, "done");
		job.logger.info({ deleted: counts }, "clean-up done");
		return counts;
	};
}
