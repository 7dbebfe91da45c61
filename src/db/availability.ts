// Which errors mean "the database is unavailable right now" (answered 503 DATABASE_UNAVAILABLE), and the answer itself.
import type { ErrorAnswer } from "../core/index.js";

/** Retry-After of the answer, in seconds: reconnection is retried every half second at most (client.ts). */
const retryAfterSeconds = 1;

// SQLSTATE classes and codes that say the server cannot serve us now, whatever the statement:
// 08 connection exceptions, 53 insufficient resources (53300 too many connections), 57014 a statement
// cancelled (statement_timeout), 57P01..57P03 administrator or crash shutdown, server starting up.
const unavailableStates = /^(08...|53...|57014|57P0[1-3])$/;

// Codes of errors that never reached the server: Node socket errors, postgres.js's own connection errors,
// and the outage gate's refusal (outage-gate.ts).
const connectionErrorCodes = new Set([
	"DATABASE_DOWN",
	"ECONNREFUSED",
	"ECONNRESET",
	"ETIMEDOUT",
	"EPIPE",
	"EHOSTUNREACH",
	"EHOSTDOWN",
	"ENETUNREACH",
	"ENETDOWN",
	"ENOTFOUND",
	"EAI_AGAIN",
	"CONNECT_TIMEOUT",
	"CONNECTION_CLOSED",
	"CONNECTION_ENDED",
	"CONNECTION_DESTROYED",
]);

/**
 * True when the error (or one it wraps: Drizzle's `DrizzleQueryError`, a transaction's rethrow, Node's
 * `AggregateError` of several addresses) says the database could not be reached, refused the connection,
 * went down under the query, or timed it out. Constraint violations and bugs are not unavailability.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
	const pending: unknown[] = [error];
	for (let seen = 0; pending.length > 0 && seen < 16; seen++) {
		const current = pending.shift();
		if (typeof current !== "object" || current === null) continue;
		const { code, cause, errors } = current as { code?: unknown; cause?: unknown; errors?: unknown };
		if (typeof code === "string" && (connectionErrorCodes.has(code) || unavailableStates.test(code))) return true;
		pending.push(cause);
		if (Array.isArray(errors)) pending.push(...errors);
	}
	return false;
}

/** The app's answer to those errors, on every route: 503 with Retry-After, nothing of the error in the body. */
export const databaseUnavailableAnswer: ErrorAnswer = {
	code: 503,
	info: "DATABASE_UNAVAILABLE",
	message: "The database is unavailable; retry shortly.",
	headers: { "retry-after": String(retryAfterSeconds) },
	matches: isDatabaseUnavailable,
};
