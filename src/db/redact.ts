// Strips the SQL parameters from a failed query's error, so passwords, tokens or emails never reach a log line or a DEV 500 body.

const drizzleParamsSeparator = "\nparams: ";

/**
 * Drizzle wraps driver errors as `Failed query: <sql>\nparams: <values>` and keeps the values in `params`;
 * PGlite's errors carry `params` too (postgres.js hides its `parameters` unless `debug` is on). This rewrites
 * the error and every error it wraps in place — message, stack and fields — keeping the SQL text, which
 * helps debugging and holds no values: every value the app sends is a bound parameter.
 */
export function redactQueryParameters(error: unknown): void {
	let current: unknown = error;
	for (let depth = 0; depth < 8 && typeof current === "object" && current !== null; depth++) {
		const candidate = current as {
			message?: unknown;
			stack?: unknown;
			query?: unknown;
			params?: unknown;
			cause?: unknown;
		};
		const message = candidate.message;
		if (typeof message === "string" && typeof candidate.query === "string") {
			const prefix = `Failed query: ${candidate.query}`;
			if (message.startsWith(prefix + drizzleParamsSeparator)) {
				candidate.message = prefix;
				if (typeof candidate.stack === "string") candidate.stack = candidate.stack.split(message).join(prefix);
			}
		}
		if ("params" in candidate) {
			try {
				delete candidate.params;
			} catch {
				// A frozen error keeps its field; its message was the part that travels.
			}
		}
		current = candidate.cause;
	}
}
