// Whether this instance should be sent traffic (GET /health/ready): its database, its schema, and whether it is
// shutting down, which the runtime says the moment SIGTERM arrives.
import { type Database, migrationsApplied } from "../../db/index.js";
import type { Readiness } from "./answers.js";

/** How long a passing migration check is trusted: the schema does not go back, so a load balancer's polls rarely ask. */
const migrationsTrustedMs = 60_000;

export interface ReadinessState {
	/** From now on GET /health/ready answers 503 (`process: shutting_down`); the process keeps serving meanwhile. */
	shuttingDown(): void;
	readonly isShuttingDown: boolean;
	/** The checks, given whether the database answered (the route's own probe); never rejects. */
	check(db: Database, databaseAnswered: boolean): Promise<Readiness>;
}

export function createReadinessState(now: () => number = () => performance.now()): ReadinessState {
	let shuttingDown = false;
	let migrationsPassedAt = Number.NEGATIVE_INFINITY;

	async function migrations(db: Database, databaseAnswered: boolean): Promise<Readiness["checks"]["migrations"]> {
		if (now() - migrationsPassedAt < migrationsTrustedMs) return "applied";
		if (!databaseAnswered) return "unknown";
		try {
			if (!(await migrationsApplied(db))) return "pending";
		} catch {
			return "unknown";
		}
		migrationsPassedAt = now();
		return "applied";
	}

	return {
		shuttingDown: () => {
			shuttingDown = true;
		},
		get isShuttingDown() {
			return shuttingDown;
		},
		async check(db, databaseAnswered) {
			const checks: Readiness["checks"] = {
				database: databaseAnswered ? "ok" : "unreachable",
				migrations: await migrations(db, databaseAnswered),
				process: shuttingDown ? "shutting_down" : "serving",
			};
			const failed: Readiness["failed"] = [];
			if (checks.database !== "ok") failed.push("database");
			if (checks.migrations !== "applied") failed.push("migrations");
			if (checks.process !== "serving") failed.push("process");
			return { status: failed.length === 0 ? "ready" : "not_ready", failed, checks };
		},
	};
}
