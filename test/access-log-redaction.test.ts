// The access log skips pino's redaction (src/logger.ts createAccessLogger): safe only while no redacted path can
// match one of its top-level, primitive fields.
import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createAccessLogger, createLogger, redactedPaths } from "../src/logger.js";

function capturedLogger() {
	const lines: Record<string, unknown>[] = [];
	const stream = new Writable({
		write(chunk: Buffer, _encoding, callback) {
			for (const line of chunk.toString("utf8").split("\n").filter(Boolean)) lines.push(JSON.parse(line));
			callback();
		},
	});
	return { logger: createLogger({ APP_ENV: "PROD", LOG_LEVEL: "info" }, stream), lines };
}

describe("the access logger", () => {
	it("is safe without redaction: every redacted path names a key inside an object", () => {
		const topLevel = redactedPaths.filter((path) => !/[.[]/.test(path));
		expect(topLevel).toEqual([]);
	});

	it("writes the access line's fields as given, on the app logger's stream", () => {
		const { logger, lines } = capturedLogger();
		createAccessLogger(logger).info(
			{ reqId: "req-1", method: "GET", path: "/hello", statusCode: 200, ms: 1.25 },
			"request completed",
		);
		expect(lines).toEqual([
			expect.objectContaining({
				level: 30,
				service: "dofus-manager",
				reqId: "req-1",
				method: "GET",
				path: "/hello",
				statusCode: 200,
				ms: 1.25,
				msg: "request completed",
			}),
		]);
	});

	it("leaves the app logger redacting", () => {
		const { logger, lines } = capturedLogger();
		createAccessLogger(logger);
		logger.info({ body: { password: "hunter2" } }, "login");
		expect(lines[0]?.body).toEqual({ password: "[redacted]" });
	});
});
