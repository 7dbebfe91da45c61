// How an upload route answers what storing a picture may throw: quota, unreadable image, storage down, subject gone.
import type { Refusal, Response } from "../../core/index.js";
import { FileSubjectGoneError } from "../../services/files.js";
import { ImageUnreadableError } from "../../services/images.js";
import { QuotaExceededError } from "../../services/quota.js";
import { StorageUnavailableError } from "../../storage/index.js";
import { uploadAnswers } from "./answers.js";

/** Seconds a client is told to wait before trying a storage that was down. */
const storageRetrySeconds = 5;

type UploadFailureAnswers =
	| typeof uploadAnswers.quotaExceeded
	| typeof uploadAnswers.imageUnreadable
	| typeof uploadAnswers.storageUnavailable;

/**
 * Runs `work` (storing an upload) and answers its known failures: 413 `quota.exceeded` with the figures, 422
 * `image.unreadable`, 503 `storage.unavailable` with Retry-After, and `subjectGone` (the route's 404) when the
 * character or guild was deleted meanwhile. Anything else goes on to the error handler.
 */
export async function answeringUploadFailures<T, Gone extends Refusal>(
	response: Response<UploadFailureAnswers | Gone>,
	subjectGone: Gone,
	work: () => Promise<T>,
): Promise<T> {
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
		if (error instanceof ImageUnreadableError) return uploadAnswers.imageUnreadable.send(response);
		if (error instanceof StorageUnavailableError) {
			response.header("retry-after", String(storageRetrySeconds));
			return uploadAnswers.storageUnavailable.send(response);
		}
		// The route lists `subjectGone` among its answers (the parameter type says so); TypeScript cannot narrow the union.
		if (error instanceof FileSubjectGoneError) return subjectGone.send(response as never);
		throw error;
	}
}
