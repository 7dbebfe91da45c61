// A pino logger whose lines are kept in memory, for tests that assert what was (or was not) logged.
import { Writable } from "node:stream";
import { type Logger, pino } from "pino";

export interface CapturedLogs {
	logger: Logger;
	/** Every line written so far, parsed. */
	lines: Record<string, unknown>[];
	/** Every line written so far, raw, joined by newlines. */
	text(): string;
}

export function captureLogs(level: pino.LevelWithSilent = "info", options: pino.LoggerOptions = {}): CapturedLogs {
	const raw: string[] = [];
	const stream = new Writable({
		write(chunk: Buffer, _encoding, callback) {
			raw.push(...chunk.toString("utf8").split("\n").filter(Boolean));
			callback();
		},
	});
	const logger = pino({ level, ...options }, stream);
	return {
		logger,
		get lines() {
			return raw.map((line) => JSON.parse(line) as Record<string, unknown>);
		},
		text: () => raw.join("\n"),
	};
}
