// GET /api/files/content/{folder}/{name}: the bytes of a filesystem object, for whoever holds a signed URL of it
// (made by GET /api/files/{fileId}). The signature is the only credential: no session, so an <img> loads it anywhere.
import { type App, text } from "../../core/index.js";
import {
	contentDisposition,
	ObjectNotFoundError,
	RangeNotSatisfiableError,
	StorageUnavailableError,
	signedContentPath,
} from "../../storage/index.js";
import { fileAnswers } from "./answers.js";
import type { FileRouteServices } from "./guards.js";
import { decideRange, notModified, rangeStillApplies } from "./range-header.js";

/** A key segment (see src/storage/object-key.ts); anything else cannot be one of our URLs. */
const segment = text().regex(/^[a-z0-9][a-z0-9_-]*$/);

export function declareFileContentRoute(app: App, { files, signer, now }: FileRouteServices): void {
	const storage = files.storage;

	app
		.declareRoute("GET", "/api/files/content/{folder}/{name}")
		.extract({
			params: { folder: segment, name: segment },
			headers: {
				range: text().optional(),
				"if-range": text().optional(),
				"if-none-match": text().optional(),
			},
		})
		.handler(
			async ({ pickup }, response, request) => {
				// S3 objects are served by S3 itself (presigned URLs): this route serves the filesystem only.
				if (storage.driver !== "filesystem") return fileAnswers.notFound.send(response);
				const path = `${signedContentPath}${pickup("folder")}/${pickup("name")}`;
				const verdict = signer().verify(path, request.query, now().getTime());
				if (verdict === "invalid") return fileAnswers.urlInvalid.send(response);
				if (verdict === "expired") return fileAnswers.urlExpired.send(response);
				// A file deleted since the URL was made is gone at once, whether or not its object is yet.
				const file = await files.findByKey(verdict.key);
				if (file === undefined || file.sha256 === null) return fileAnswers.notFound.send(response);

				const etag = `"${file.sha256}"`;
				const secondsLeft = Math.max(0, Math.floor((verdict.expiresAt.getTime() - now().getTime()) / 1000));
				response.headers({
					etag,
					// The bytes at a key never change (a new upload is a new key), so a copy is good for the URL's life.
					"cache-control": `private, max-age=${secondsLeft}, immutable`,
					"x-content-type-options": "nosniff",
					// Nothing served here is a page: should a browser open one, it may run nothing and load nothing.
					"content-security-policy": "default-src 'none'; sandbox",
					"accept-ranges": "bytes",
				});
				if (notModified(pickup("if-none-match"), etag))
					return response.code(fileAnswers.notModified.code).info(fileAnswers.notModified.info).respond();

				const range = rangeStillApplies(pickup("if-range"), etag)
					? decideRange(pickup("range"), file.size)
					: ({ kind: "whole" } as const);
				if (range.kind === "unsatisfiable") {
					response.header("content-range", `bytes */${file.size}`);
					return fileAnswers.rangeNotSatisfiable.send(response);
				}
				let object: Awaited<ReturnType<typeof storage.get>>;
				try {
					object = await storage.get(
						verdict.key,
						range.kind === "range" ? { range: { start: range.start, end: range.end } } : {},
					);
				} catch (error) {
					if (error instanceof RangeNotSatisfiableError) {
						response.header("content-range", `bytes */${error.size}`);
						return fileAnswers.rangeNotSatisfiable.send(response);
					}
					if (error instanceof ObjectNotFoundError) {
						request.logger.warn({ fileId: file.id }, "a stored file's object is missing");
						return fileAnswers.notFound.send(response);
					}
					if (!(error instanceof StorageUnavailableError)) throw error;
					response.header("retry-after", "5");
					return fileAnswers.storageUnavailable.send(response);
				}
				response.headers({
					"content-type": verdict.contentType,
					"content-disposition": contentDisposition(verdict.disposition, verdict.downloadName),
				});
				if (object.range === undefined) {
					response.header("content-length", object.size);
					return response.code(fileAnswers.content.code).info(fileAnswers.content.info).stream(object.body);
				}
				response.headers({
					"content-length": object.range.end - object.range.start + 1,
					"content-range": `bytes ${object.range.start}-${object.range.end}/${object.size}`,
				});
				return response.code(fileAnswers.partial.code).info(fileAnswers.partial.info).stream(object.body);
			},
			fileAnswers.content,
			fileAnswers.partial,
			fileAnswers.notModified,
			fileAnswers.notFound,
			fileAnswers.urlInvalid,
			fileAnswers.urlExpired,
			fileAnswers.rangeNotSatisfiable,
			fileAnswers.storageUnavailable,
		);
}
