// The app's pino logger: level from config, secrets redacted wherever they might appear.
import { type DestinationStream, type Logger, pino } from "pino";
import type { Config } from "./config.js";

/** Paths pino replaces with "[redacted]": credentials in headers, bodies and errors. */
export const redactedPaths = [
	"req.headers.authorization",
	"req.headers.cookie",
	"res.headers['set-cookie']",
	"headers.authorization",
	"headers.cookie",
	"*.password",
	"*.currentPassword",
	"*.newPassword",
	"*.passwordHash",
	"*.token",
	"*.accessToken",
	"*.refreshToken",
	"*.challengeToken",
	"*.secret",
	// Identity: stored hashes and secrets, should a row ever be logged.
	"*.tokenHash",
	"*.accessTokenHash",
	"*.totpSecret",
	// POST /api/me/password's body keys are too generic for a wildcard.
	"body.current",
	"body.new",
	// Drizzle's query errors carry the statement's parameters: password hashes, token hashes, emails.
	"err.params",
	"err.cause.params",
];

export function createLogger(config: Pick<Config, "APP_ENV" | "LOG_LEVEL">, destination?: DestinationStream): Logger {
	const level = config.LOG_LEVEL ?? (config.APP_ENV === "TEST" ? "silent" : "info");
	const options = { level, redact: { paths: redactedPaths, censor: "[redacted]" }, base: { service: "dofus-manager" } };
	return destination === undefined ? pino(options) : pino(options, destination);
}

/**
 * The access log's logger: the app's, without redaction. Its lines carry only primitives the framework writes
 * (request id, method, path, status, duration), and every redacted path names a key inside an object, so no path can
 * match them; pino would still run its wildcard redactor on each field, three quarters of what a line costs.
 */
export function createAccessLogger(logger: Logger): Logger {
	return logger.child({}, { redact: { paths: [] } });
}
