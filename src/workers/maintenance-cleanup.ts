// The `maintenance.cleanup` job: runs the clean-up (and, given the storage, the files' one), reports a step per table,
// and returns (and logs) what it deleted.
import type { maintenanceCleanupJob } from "../jobs/kinds.js";
import type { JobContext } from "../jobs/queue.js";
import type { CleanupCounts, CleanupService } from "../services/cleanup.js";
import type { FileCleanup, FileCleanupCounts } from "../services/file-cleanup.js";

/** The files' steps (file-cleanup.ts), after the tables'. */
const fileSteps = 6;

export function maintenanceCleanupHandler({ cleanup, files }: { cleanup: CleanupService; files?: FileCleanup }) {
	return async (
		job: JobContext<typeof maintenanceCleanupJob>,
	): Promise<CleanupCounts | (CleanupCounts & { files: FileCleanupCounts })> => {
		const extra = files === undefined ? 0 : fileSteps;
		let tables = 0;
		const counts = await cleanup.run({
			signal: job.signal,
			onStep: (done, total, table) => {
				tables = total;
				return job.progress(done, total + extra, `cleaning ${table}`);
			},
		});
		let result: CleanupCounts | (CleanupCounts & { files: FileCleanupCounts }) = counts;
		if (files !== undefined) {
			let step = 0;
			const fileCounts = await files.run({
				signal: job.signal,
				onStep: (name) => job.progress(tables + step++, tables + extra, `cleaning files: ${name}`),
			});
			result = { ...counts, files: fileCounts };
		}
		const total = Object.keys(counts).length + extra;
		await job.progress(total, total, "done");
		job.logger.info({ deleted: result }, "clean-up done");
		return result;
	};
}
