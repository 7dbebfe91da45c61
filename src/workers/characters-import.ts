// The `characters.import` job: reads the uploaded CSV from storage, imports its rows with progress, returns the
// created and rejected rows, and deletes the file once the job is over (done, failed for good, or cancelled).
import type { characterImportJob } from "../jobs/kinds.js";
import { JobCancelledError, type JobContext, PermanentJobError } from "../jobs/queue.js";
import {
	type CharacterImporter,
	type ImportResult,
	readImportFile,
	removeImportFile,
} from "../services/character-import.js";
import { ImportFileError, readImportCsv } from "../services/character-import-csv.js";
import type { FileService } from "../services/files.js";

export interface CharacterImportDependencies {
	files: FileService;
	importer: CharacterImporter;
}

export function characterImportHandler({ files, importer }: CharacterImportDependencies) {
	return async (job: JobContext<typeof characterImportJob>): Promise<ImportResult> => {
		const { fileId, userId } = job.payload;
		let over = false;
		try {
			const { file, bytes } = await readImportFile(files, fileId, userId);
			const table = readImportCsv(bytes);
			job.logger.info(
				{ rows: table.rows.length, delimiter: table.delimiter, ignoredColumns: table.ignoredColumns },
				"character import read",
			);
			const result = await importer.run({
				userId,
				rows: table.rows,
				...(job.attempt > 1 ? { retry: { since: file.createdAt } } : {}),
				signal: job.signal,
				progress: (done, total, message) => job.progress(done, total, message),
			});
			over = true;
			job.logger.info({ created: result.created.length, rejected: result.rejected.length }, "character import done");
			return result;
		} catch (error) {
			// A file that cannot be imported never will be: failed at once, with the reason the user reads.
			if (error instanceof ImportFileError) {
				over = true;
				throw new PermanentJobError(error.message, { cause: error });
			}
			// Anything else is retried while attempts are left (the rows already created are recognised then).
			over = error instanceof JobCancelledError || job.attempt >= job.maxAttempts;
			throw error;
		} finally {
			// Kept for a retry; otherwise of no more use, and counted in the user's quota until it goes.
			if (over) {
				await removeImportFile(files, fileId, userId).catch((error: unknown) => {
					job.logger.warn({ err: error, fileId }, "could not delete the imported file");
				});
			}
		}
	};
}
