// Start-up of a fleet on one PostgreSQL behind PgBouncer (transaction mode): N instances starting together on an empty
// database migrate it once between them (the schema lock), and a deploy pipeline may migrate first with the CLI.
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { promisify } from "node:util";
import postgres from "postgres";
import { describe, expect, it } from "vitest";
import journal from "../../drizzle/meta/_journal.json" with { type: "json" };
import { migrateDatabase, openDatabase, startDatabase } from "../../src/db/index.js";
import { type FleetDatabase, fleetTestBed } from "../helpers/fleet.js";
import { until } from "../helpers/worker-process.js";

const run = promisify(execFile);
const bed = fleetTestBed();

/** What the database holds of our journal and of pg-boss's install, read straight from PostgreSQL. */
async function schemaState(database: FleetDatabase) {
	const sql = postgres(database.direct, { max: 1, onnotice: () => {} });
	try {
		const [journalRows] = await sql<
			{ count: number }[]
		>`select count(*)::int as count from drizzle.__drizzle_migrations`;
		const [classes] = await sql<{ count: number }[]>`select count(*)::int as count from classes`;
		const [boss] = await sql<{ count: number }[]>`select count(*)::int as count from pgboss.version`;
		return { migrations: journalRows?.count, classes: classes?.count, pgBossVersions: boss?.count };
	} finally {
		await sql.end({ timeout: 1 });
	}
}

async function readiness(port: number) {
	const response = await fetch(`http://127.0.0.1:${port}/health/ready`);
	return { status: response.status, body: await response.json() };
}

/**
 * Polls GET /health/ready until it answers 200, as a load balancer would; resolves with that answer. On a saturated
 * machine the readiness probe's 500 ms `select 1` can miss once, which says nothing of the start-up.
 */
function readyAnswer(port: number) {
	return until(
		`the instance on ${port} to be ready`,
		async () => {
			const answer = await readiness(port);
			return answer.status === 200 ? answer : undefined;
		},
		60_000,
	);
}

describe("three API instances starting at once on an empty database (PgBouncer, transaction mode)", () => {
	it("all come up ready, and the schema is migrated once between them", async () => {
		const database = await bed.database("startup_together");
		const started = performance.now();
		const instances = await Promise.all(["a", "b", "c"].map((name) => bed.startApi(`api-${name}`, database)));
		const seconds = (performance.now() - started) / 1000;
		console.info(`[fleet start-up] three instances on an empty database listening after ${seconds.toFixed(1)} s`);

		for (const { api, port } of instances) {
			expect(await readyAnswer(port), api.output()).toEqual({
				status: 200,
				body: { status: "ready", failed: [], checks: { database: "ok", migrations: "applied", process: "serving" } },
			});
		}
		const state = await schemaState(database);
		expect(state).toMatchObject({ migrations: journal.entries.length, pgBossVersions: 1 });
		expect(state.classes).toBeGreaterThan(0);
		for (const { api } of instances) expect(await api.stop()).toEqual({ code: 0, signal: null });
	}, 240_000);
});

describe("node dist/db/cli/migrate.js (npm run db:migrate on a built image), before the instances start", () => {
	it("migrates an empty database through PgBouncer and exits 0; an instance then starts on it", async () => {
		const database = await bed.database("startup_migrate_first");
		const { stdout } = await run(process.execPath, ["dist/db/cli/migrate.js"], {
			env: {
				...process.env,
				...bed.env(database),
				APP_ENV: "PROD",
				SECRETS_KEY: `deploy:${randomBytes(32).toString("base64")}`,
			},
			timeout: 60_000,
		});
		expect(stdout).toContain("migrations applied");
		// The instance finds nothing to migrate; pg-boss's schema it installs itself, as every process does at start.
		const { api, port } = await bed.startApi("api-after-migrate", database);
		expect((await readyAnswer(port)).status).toBe(200);
		expect(await schemaState(database)).toMatchObject({ migrations: journal.entries.length, pgBossVersions: 1 });
		expect(await api.stop()).toEqual({ code: 0, signal: null });
	}, 240_000);
});

describe("the start-up of many processes at once on a database without reference data (in the test process, PgBouncer)", () => {
	it("seeds a migrated database between them: every start succeeds, each reference row is there once", async () => {
		// Each round a fresh database, migrated but not seeded (what the first process's migration leaves for the others),
		// and six starts at once: each finds nothing to migrate, and their seeds insert the same new rows together.
		for (const round of [1, 2, 3]) {
			const database = await bed.database(`startup_seed_race_${round}`);
			const migrating = await openDatabase({
				DATABASE_URL: database.direct,
				DATABASE_POOL_SIZE: 1,
				PGLITE_DIR: "memory://",
			});
			try {
				await migrateDatabase(migrating);
			} finally {
				await migrating.close();
			}
			const outcomes = await Promise.allSettled(
				Array.from({ length: 6 }, () =>
					startDatabase({
						DATABASE_URL: database.pooled,
						DATABASE_LISTEN_URL: database.direct,
						DATABASE_PREPARE: false,
						DATABASE_POOL_SIZE: 2,
						PGLITE_DIR: "memory://",
					}),
				),
			);
			for (const outcome of outcomes) if (outcome.status === "fulfilled") await outcome.value.close();
			const failures = outcomes.filter((outcome) => outcome.status === "rejected");
			expect(failures.map((outcome) => String(outcome.reason))).toEqual([]);
			const sql = postgres(database.direct, { max: 1, onnotice: () => {} });
			try {
				const [rows] = await sql<{ migrations: number; classes: number; names: number }[]>`select
					(select count(*)::int from drizzle.__drizzle_migrations) as migrations,
					(select count(*)::int from classes) as classes,
					(select count(distinct name)::int from classes) as names`;
				expect(rows?.migrations).toBe(journal.entries.length);
				expect(rows?.classes).toBeGreaterThan(0);
				expect(rows?.names).toBe(rows?.classes);
			} finally {
				await sql.end({ timeout: 1 });
			}
		}
	}, 240_000);
});
