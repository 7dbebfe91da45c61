// The app's pino logger: level from config, secrets redacted wherever they might appear.
import { pino, type DestinationStream, type Logger } from "pino";
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
];

export function createLogger(config: Pick<Config, "APP_ENV" | "LOG_LEVEL">, destination?: DestinationStream): Logger {
	const level = config.LOG_LEVEL ?? (config.APP_ENV === "TEST" ? "silent" : "info");
	const options = { level, redact: { paths: redactedPaths, censor: "[redacted]" }, base: { service: "dofus-manager" } };
	return destination === undefined ? pino(options) : pino(options, destination);
}
