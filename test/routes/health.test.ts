// GET /health/live and GET /health/ready: what a load balancer asks each instance, and each reason it is told no.
import { beforeAll, describe, expect, it } from "vitest";
import { type Database, type DatabaseHandle, migrateDatabase, openDatabase } from "../../src/db/index.js";
import { createReadinessState } from "../../src/routes/health/readiness.js";
import { createEmptyDatabaseConfig, getTestDatabase, testEngine, testJobQueueOf } from "../helpers/database.js";
import { buildIdentityApp } from "../helpers/identity.js";
import { freePort } from "../helpers/throwaway-postgres.js";

let db: Database;
beforeAll(async () => {
	db = await getTestDatabase();
});

/** A PostgreSQL handle on a port nobody listens on: every query fails with ECONNREFUSED. */
async function unreachableDatabase(): Promise<DatabaseHandle> {
	return openDatabase({
		DATABASE_URL: `postgres://postgres@127.0.0.1:${await freePort()}/nowhere`,
		DATABASE_POOL_SIZE: 1,
		PGLITE_DIR: "memory://",
		DATABASE_CONNECT_TIMEOUT_MS: 200,
	});
}

describe("GET /health/live", () => {
	it("answers 200 health.live while the process serves", async () => {
		const { app } = buildIdentityApp(db);
		const response = await app.inject({ url: "/health/live" });
		expect(response).toAnswer(200, "health.live");
		expect(response.json()).toEqual({ status: "live" });
	});

	it("answers 200 even when the database is unreachable: restarting the process would not help", async () => {
		const unreachable = await unreachableDatabase();
		try {
			const { app } = buildIdentityApp(unreachable.db, { jobs: testJobQueueOf(db) });
			expect(await app.inject({ url: "/health/live" })).toAnswer(200, "health.live");
		} finally {
			await unreachable.close();
		}
	});
});

describe(`GET /health/ready (${testEngine()})`, () => {
	it("answers 200 health.ready when the database answers, its migrations are applied and no shutdown began", async () => {
		const { app } = buildIdentityApp(db);
		const response = await app.inject({ url: "/health/ready" });
		expect(response).toAnswer(200, "health.ready");
		expect(response.json()).toEqual({
			status: "ready",
			failed: [],
			checks: { database: "ok", migrations: "applied", process: "serving" },
		});
	});

	it("answers 503 health.not_ready naming the process from the moment shutdown begins", async () => {
		const readiness = createReadinessState();
		const { app } = buildIdentityApp(db, { readiness });
		expect(await app.inject({ url: "/health/ready" })).toAnswer(200, "health.ready");
		readiness.shuttingDown();
		const response = await app.inject({ url: "/health/ready" });
		expect(response).toAnswer(503, "health.not_ready");
		expect(response.json()).toEqual({
			status: "not_ready",
			failed: ["process"],
			checks: { database: "ok", migrations: "applied", process: "shutting_down" },
		});
		// Everything else is still served: the process drains, it does not refuse.
		expect(await app.inject({ url: "/health/live" })).toAnswer(200, "health.live");
		expect(await app.inject({ url: "/health" })).toAnswer(200, "health.ok");
	});

	it("answers 503 naming the database (migrations unknown) when it does not answer", async () => {
		const unreachable = await unreachableDatabase();
		try {
			const { app } = buildIdentityApp(unreachable.db, { jobs: testJobQueueOf(db) });
			const started = performance.now();
			const response = await app.inject({ url: "/health/ready" });
			expect(performance.now() - started).toBeLessThan(1_000);
			expect(response).toAnswer(503, "health.not_ready");
			expect(response.json()).toEqual({
				status: "not_ready",
				failed: ["database", "migrations"],
				checks: { database: "unreachable", migrations: "unknown", process: "serving" },
			});
		} finally {
			await unreachable.close();
		}
	});

	it("answers 503 naming the migrations on a database that lacks this build's", async () => {
		const { config } = await createEmptyDatabaseConfig();
		const empty = await openDatabase(config);
		try {
			const { app } = buildIdentityApp(empty.db, { jobs: testJobQueueOf(db) });
			const response = await app.inject({ url: "/health/ready" });
			expect(response).toAnswer(503, "health.not_ready");
			expect(response.json()).toEqual({
				status: "not_ready",
				failed: ["migrations"],
				checks: { database: "ok", migrations: "pending", process: "serving" },
			});
			// Once migrated, the same instance is ready at its next check.
			await migrateDatabase(empty);
			expect(await app.inject({ url: "/health/ready" })).toAnswer(200, "health.ready");
		} finally {
			await empty.close();
		}
	}, 60_000);
});
