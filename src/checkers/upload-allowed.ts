// Checker `uploadAllowed`: counts an upload against the caller's UPLOADS_PER_MINUTE, or says when one is free again.
import { createChecker } from "../core/index.js";
import type { UploadRateLimit } from "../services/upload-rate-limit.js";

export function createUploadAllowed(limit: UploadRateLimit) {
	return createChecker("uploadAllowed").handler(async (userId: number, output) => {
		const decision = await limit.attempt(userId);
		return decision.allowed
			? output("upload.allowed", null)
			: output("upload.rate_limited", decision.retryAfterSeconds);
	});
}
