// GET /api/files/{fileId}: whoever may read what the file belongs to is redirected (302) to a short-lived signed URL
// of it: presigned for S3, ours (content.ts) for the filesystem. Anyone else is told there is no such file.
import { z } from "zod";
import { type App, text } from "../../core/index.js";
import { StorageUnavailableError } from "../../storage/index.js";
import type { DomainRouteDependencies } from "../guards.js";
import { fileAnswers } from "./answers.js";
import type { FileGuards, FileRouteServices } from "./guards.js";

/** File ids are UUIDs: anything else is a 400, never a database error. */
const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function declareFileRoutes(
	_app: App,
	{ guards }: DomainRouteDependencies,
	{ files }: FileRouteServices,
	{ fileFound, fileReadable }: FileGuards,
): void {
	const { authenticatedRoute } = guards;
	// A browser may keep the redirect for a while (an <img> shown again asks nothing), never past the URL's own life.
	const redirectMaxAge = Math.min(60, Math.floor(files.urlSeconds / 2));

	authenticatedRoute
		.declareRoute("GET", "/api/files/{fileId}")
		.extract({
			params: { fileId: text().regex(uuidPattern, "a file id (UUID)") },
			// `attachment`: the browser saves the file rather than showing it.
			query: { download: z.enum(["0", "1"]).default("0") },
		})
		.presetCheck(fileFound, (pickup) => pickup("fileId"))
		.presetCheck(fileReadable, (pickup) => ({ file: pickup("file"), userId: pickup("user").id }))
		.handler(
			async ({ pickup }, response) => {
				let url: string;
				try {
					url = await files.signedUrl(pickup("file"), pickup("download") === "1" ? "attachment" : "inline");
				} catch (error) {
					if (!(error instanceof StorageUnavailableError)) throw error;
					response.header("retry-after", "5");
					return fileAnswers.storageUnavailable.send(response);
				}
				return response
					.code(fileAnswers.redirect.code)
					.info(fileAnswers.redirect.info)
					.headers({
						location: url,
						"cache-control": redirectMaxAge > 0 ? `private, max-age=${redirectMaxAge}` : "private, no-store",
					})
					.respond();
			},
			fileAnswers.redirect,
			fileAnswers.storageUnavailable,
		);
}
