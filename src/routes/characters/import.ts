// POST /api/characters/import: a CSV of characters (name, level, class, server, account) up to 5 MiB, stored as the
// caller's file and imported by a `characters.import` job; 202 with the job, followed at GET /api/jobs/{id}.
import { z } from "zod";
import { answer, multipart, type Response } from "../../core/index.js";
import type { JobQueue } from "../../jobs/queue.js";
import { characterImportUpload, queueCharacterImport } from "../../services/character-import.js";
import { QuotaExceededError } from "../../services/quota.js";
import { StorageUnavailableError } from "../../storage/index.js";
import { uploadAnswers } from "../files/answers.js";
import type { FileGuards, FileRouteServices } from "../files/guards.js";
import type { DomainRouteDependencies } from "../guards.js";
import { publicJob } from "../jobs/jobs.js";
import { jobSchema } from "../jobs/schemas.js";

export const characterImportAnswers = {
	/** The job as GET /api/jobs/{id} shows it (queued); `Location` says where. */
	queued: answer(202, "character.import_queued", z.object({ job: jobSchema })),
};

/** Seconds a client is told to wait before trying a storage that was down. */
const storageRetrySeconds = 5;

type StoreFailureAnswers = typeof uploadAnswers.quotaExceeded | typeof uploadAnswers.storageUnavailable;

/** Runs `work` (storing the upload) and answers what storing may refuse: 413 `quota.exceeded`, 503 `storage.unavailable`. */
async function answeringStoreFailures<T>(response: Response<StoreFailureAnswers>, work: () => Promise<T>): Promise<T> {
	try {
		return await work();
	} catch (error) {
		if (error instanceof QuotaExceededError)
			return uploadAnswers.quotaExceeded.send(response, {
				error: "quota.exceeded",
				message: `This upload needs ${error.requestedBytes} bytes; ${error.usedBytes} of your ${error.quotaBytes} are in use.`,
				usedBytes: error.usedBytes,
				quotaBytes: error.quotaBytes,
			});
		if (error instanceof StorageUnavailableError) {
			response.header("retry-after", String(storageRetrySeconds));
			return uploadAnswers.storageUnavailable.send(response);
		}
		throw error;
	}
}

export function declareCharacterImportRoute(
	{ guards }: DomainRouteDependencies,
	{ files, uploadDirectory }: FileRouteServices,
	{ uploadAllowed }: FileGuards,
	jobs: JobQueue,
): void {
	const { authenticatedRoute } = guards;

	// Counted against UPLOADS_PER_MINUTE before the body is read, like every upload.
	authenticatedRoute
		.declareAbstractRoute("characterImportUploadRoute")
		.presetCheck(uploadAllowed, (pickup) => pickup("user").id)
		.build(["user", "session"])
		.declareRoute("POST", "/api/characters/import")
		.extract({
			multipart: multipart({
				files: { file: { types: characterImportUpload.types, maxBytes: characterImportUpload.maxBytes } },
				directory: uploadDirectory,
			}),
		})
		.handler(
			async ({ pickup }, response) => {
				const userId = pickup("user").id;
				const jobId = await answeringStoreFailures(response, () =>
					queueCharacterImport(files, jobs, userId, pickup("file")),
				);
				const job = await jobs.store.find(jobId);
				// Committed with the file a moment ago: only pg-boss's retention (days) removes a job.
				if (job === null) throw new Error(`character import job ${jobId} vanished once queued`);
				response.header("location", `/api/jobs/${jobId}`);
				return characterImportAnswers.queued.respond(response, { job: publicJob(job) });
			},
			characterImportAnswers.queued,
			uploadAnswers.quotaExceeded,
			uploadAnswers.storageUnavailable,
		);
}
