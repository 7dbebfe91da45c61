// While PostgreSQL is known to be unreachable, queries fail at once instead of queueing for a pool connection.
//
// postgres.js queues a query when no pool connection is open, and a connection retries only after its backoff:
// during an outage each waiting query waits for one failed attempt, so with N requests queued per pool
// connection a request waited about N × 0.5 s (5 s with 48 clients on a pool of 4). The gate keeps that
// wait at zero: after a query failed because the server could not be reached, it lets one query through
// every `probeIntervalMs` (the probe that finds the server back) and rejects the others with
// DATABASE_DOWN, answered 503 like any unavailability. The first query that succeeds opens it again.
import type postgres from "postgres";

/** Errors that say the server itself cannot be reached or is going away — not one slow or refused statement. */
const unreachableCodes = new Set([
	"ECONNREFUSED",
	"ETIMEDOUT",
	"EHOSTUNREACH",
	"EHOSTDOWN",
	"ENETUNREACH",
	"ENETDOWN",
	"ENOTFOUND",
	"EAI_AGAIN",
	"CONNECT_TIMEOUT",
	"CONNECTION_CLOSED",
	"57P01", // admin_shutdown
	"57P02", // crash_shutdown
	"57P03", // cannot_connect_now: starting up or shutting down
]);

/** What a query rejected by the closed gate fails with; its code is in isDatabaseUnavailable's list. */
export class DatabaseDownError extends Error {
	override name = "DatabaseDownError";
	readonly code = "DATABASE_DOWN";
	constructor() {
		super("The database was unreachable moments ago; the query was not sent.");
	}
}

function isUnreachable(error: unknown): boolean {
	const code = (error as { code?: unknown } | null)?.code;
	if (typeof code === "string" && unreachableCodes.has(code)) return true;
	return (
		Array.isArray((error as { errors?: unknown } | null)?.errors) &&
		(error as { errors: unknown[] }).errors.some(isUnreachable)
	);
}

/**
 * Wraps the client Drizzle uses. Only `unsafe` (every Drizzle query) and `begin` (transactions) are
 * gated; a query's own promise is observed, never replaced, so Drizzle's `.values()` still applies
 * (postgres.js sends a query one microtask after it is first awaited).
 */
export function gateWhileDown(
	client: postgres.Sql,
	probeIntervalMs = 250,
	now: () => number = performance.now.bind(performance),
): postgres.Sql {
	let downSince: number | undefined;
	let lastProbe = Number.NEGATIVE_INFINITY;
	const admit = (): boolean => {
		if (downSince === undefined) return true;
		const time = now();
		if (time - lastProbe < probeIntervalMs) return false;
		lastProbe = time;
		return true;
	};
	const observe = (pending: PromiseLike<unknown>): void => {
		pending.then(
			() => {
				downSince = undefined;
			},
			(error: unknown) => {
				if (!isUnreachable(error) || downSince !== undefined) return;
				// The failure itself was the first probe: the next one waits a full interval.
				downSince = now();
				lastProbe = downSince;
			},
		);
	};
	const rejected = (): Promise<never> & { values(): Promise<never>; execute(): Promise<never> } => {
		const promise = Promise.reject(new DatabaseDownError());
		return Object.assign(promise, { values: () => promise, execute: () => promise });
	};

	return new Proxy(client, {
		get(target, key, receiver) {
			if (key === "unsafe") {
				return (...args: Parameters<postgres.Sql["unsafe"]>) => {
					if (!admit()) return rejected();
					const query = target.unsafe(...args);
					observe(query);
					return query;
				};
			}
			if (key === "begin") {
				return (...args: unknown[]) => {
					if (!admit()) return Promise.reject(new DatabaseDownError());
					const transaction = (target.begin as (...all: unknown[]) => Promise<unknown>)(...args);
					observe(transaction);
					return transaction;
				};
			}
			return Reflect.get(target, key, receiver);
		},
	});
}
