// What the file routes answer, each said once: downloads (redirects, bytes, ranges), their refusals, and the refusals
// every upload route shares (quota, rate limit, unreadable image, storage down).
import { answer, refusal } from "../../core/index.js";
import { quotaExceededSchema } from "./schemas.js";

export const fileAnswers = {
	/** To a signed URL (Location), valid SIGNED_URL_TTL_SECONDS. */
	redirect: answer(302, "file.redirect"),
	/** The bytes, with the headers the route sets; no body schema (they are not JSON). */
	content: answer(200, "file.content"),
	partial: answer(206, "file.partial_content"),
	notModified: answer(304, "file.not_modified"),
	/** A file the caller may not read answers exactly like a missing one. */
	notFound: refusal(404, "file.notfound", "No such file."),
	urlInvalid: refusal(403, "file.url_invalid", "This download link is not valid."),
	urlExpired: refusal(403, "file.url_expired", "This download link has expired: ask for the file again."),
	rangeNotSatisfiable: refusal(416, "file.range_not_satisfiable", "The range starts past the end of the file."),
	storageUnavailable: refusal(503, "storage.unavailable", "File storage is unavailable; retry shortly."),
};

export const uploadAnswers = {
	quotaExceeded: answer(413, "quota.exceeded", quotaExceededSchema),
	rateLimited: refusal(429, "upload.rate_limited", "Too many uploads: wait for the time Retry-After says."),
	imageUnreadable: refusal(
		422,
		"image.unreadable",
		"The image could not be read: it is damaged, or larger than 40 megapixels.",
	),
	storageUnavailable: fileAnswers.storageUnavailable,
};
