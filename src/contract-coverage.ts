// Records every response an app sends (route, status, info) as JSON lines, for the test suite's contract coverage report.
import { appendFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import type { App } from "./core/index.js";

/** One line of a coverage file: the route as declared (not the URL), and what it answered. */
export interface RecordedResponse {
	method: string;
	path: string;
	status: number;
	info: string | null;
}

/**
 * Adds an `afterSend` hook that appends one line per response to `<directory>/<pid>.jsonl`. Test workers
 * are separate processes, hence one file each; the writes are synchronous so nothing is lost when a
 * worker exits. Never enabled outside the test suite (see buildApp).
 */
export function recordContractCoverage(app: App, directory: string): void {
	mkdirSync(directory, { recursive: true });
	const file = join(directory, `${process.pid}.jsonl`);
	app.addHook("afterSend", (request, response) => {
		// Unmatched paths (404 / 405 of the router) belong to no route.
		if (request.matchedPath === "") return;
		const line: RecordedResponse = {
			method: request.method,
			path: request.matchedPath,
			status: response.statusCode,
			info: response.information ?? null,
		};
		appendFileSync(file, `${JSON.stringify(line)}\n`);
	});
}
