// The app on a PostgreSQL that goes away under load: only 2xx or 503 DATABASE_UNAVAILABLE, no hang, recovery on its own.
// Brings its own throwaway server (test/helpers/throwaway-postgres.ts), so it runs in both suite runs.

import { pino } from "pino";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { App } from "../../src/core/index.js";
import { type DatabaseConfig, type DatabaseHandle, openDatabase, startDatabase } from "../../src/db/index.js";
import { jobKinds } from "../../src/jobs/kinds.js";
import type { JobQueue } from "../../src/jobs/queue.js";
import { buildIdentityApp, type LoggedIn, signUp } from "../helpers/identity.js";
import { startTestJobQueue } from "../helpers/jobs.js";
import { startThrowawayPostgres, type ThrowawayPostgres } from "../helpers/throwaway-postgres.js";

interface Outcome {
	kind: "read" | "write" | "health";
	startedAt: number;
	endedAt: number;
	status: number | "socket error";
	info: string | null;
	retryAfter: string | null;
	body: string;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** One request over a real socket, timed; a socket error or a 15 s hang is recorded, not thrown. */
async function timedRequest(
	base: string,
	kind: Outcome["kind"],
	path: string,
	init: RequestInit = {},
): Promise<Outcome> {
	const startedAt = performance.now();
	try {
		const response = await fetch(`${base}${path}`, { ...init, signal: AbortSignal.timeout(15_000) });
		const body = await response.text();
		return {
			kind,
			startedAt,
			endedAt: performance.now(),
			status: response.status,
			info: response.headers.get("info"),
			retryAfter: response.headers.get("retry-after"),
			body,
		};
	} catch (error) {
		return {
			kind,
			startedAt,
			endedAt: performance.now(),
			status: "socket error",
			info: null,
			retryAfter: null,
			body: String(error),
		};
	}
}

/** `clients` loops, each sending authenticated reads and writes back to back until stopped. */
function steadyLoad(base: string, user: LoggedIn, clients: number) {
	const outcomes: Outcome[] = [];
	let running = true;
	let written = 0;
	const headers = { ...user.headers, "content-type": "application/json" };
	const loops = Array.from({ length: clients }, async (_, client) => {
		for (let n = 0; running; n++) {
			const write = (n + client) % 3 === 0;
			outcomes.push(
				write
					? await timedRequest(base, "write", "/api/accounts", {
							method: "POST",
							headers,
							body: JSON.stringify({ name: `Account ${++written}` }),
						})
					: await timedRequest(base, "read", n % 2 === 0 ? "/api/me" : "/api/accounts", { headers }),
			);
		}
	});
	return {
		outcomes,
		async stop() {
			running = false;
			await Promise.all(loops);
			return outcomes;
		},
	};
}

const ms = (value: number) => Math.round(value);

function countBy(values: readonly string[]): Record<string, number> {
	const counts: Record<string, number> = {};
	for (const value of values) counts[value] = (counts[value] ?? 0) + 1;
	return counts;
}

let server: ThrowawayPostgres;
let config: DatabaseConfig;
let database: DatabaseHandle;
let app: App;
let base: string;
let user: LoggedIn;
let jobs: JobQueue;

beforeAll(async () => {
	// Small max_connections: the "too many connections" case below fills it cheaply.
	server = await startThrowawayPostgres({ settings: { max_connections: "12", superuser_reserved_connections: "0" } });
	config = {
		DATABASE_URL: await server.createDatabase("outage"),
		DATABASE_POOL_SIZE: 4,
		PGLITE_DIR: "memory://",
		DATABASE_CONNECT_TIMEOUT_MS: 1_000,
		DATABASE_STATEMENT_TIMEOUT_MS: 2_000,
	};
	database = await startDatabase(config);
	// One connection for the job queue: the "too many connections" case below counts on a small total.
	jobs = await startTestJobQueue(database, jobKinds, { role: "api", poolSize: 1 });
	app = buildIdentityApp(database.db, { jobs }).app;
	const address = await app.listen({ host: "127.0.0.1", port: 0 });
	base = `http://127.0.0.1:${address.port}`;
	user = await signUp(app);
}, 60_000);

afterAll(async () => {
	await app?.close();
	await jobs?.stop({ timeoutMs: 1000 }).catch(() => {});
	await database?.close();
	await server?.remove();
});

describe("a PostgreSQL outage under load", () => {
	it("answers only 2xx or 503 DATABASE_UNAVAILABLE with Retry-After, never hangs, and recovers within 2 s", async () => {
		const load = steadyLoad(base, user, 8);
		await sleep(1_000);
		const stoppedAt = performance.now();
		await server.stop();
		await sleep(300);
		const health = await timedRequest(base, "health", "/health");
		await sleep(2_500);
		const restartAt = performance.now();
		await server.start();
		// pg_ctl returns once the server accepts connections, which may be a little after it started to.
		const backAt = performance.now();
		await sleep(3_000);
		const outcomes = await load.stop();

		const during = outcomes.filter((one) => one.endedAt > stoppedAt && one.startedAt < backAt);
		const unavailable = outcomes.filter((one) => one.status === 503);
		const firstSuccessAfter = outcomes
			.filter((one) => typeof one.status === "number" && one.status < 300 && one.endedAt >= restartAt)
			.map((one) => one.endedAt)
			.sort((a, b) => a - b)[0];
		const figures = {
			requests: outcomes.length,
			byStatus: countBy(outcomes.map((one) => String(one.status))),
			duringOutage: during.length,
			unavailable: unavailable.length,
			other: outcomes
				.filter((one) => one.status !== 503 && !(typeof one.status === "number" && one.status < 300))
				.map((one) => `${one.status} ${one.info} ${one.body.slice(0, 200)}`)
				.slice(0, 5),
			worstMs: ms(Math.max(...outcomes.map((one) => one.endedAt - one.startedAt))),
			worstDuringOutageMs: ms(Math.max(0, ...during.map((one) => one.endedAt - one.startedAt))),
			restartMs: ms(backAt - restartAt),
			recoveryMs: firstSuccessAfter === undefined ? null : ms(Math.max(0, firstSuccessAfter - backAt)),
			health: { status: health.status, ms: ms(health.endedAt - health.startedAt) },
		};
		if (process.env.OUTAGE_FIGURES === "1") console.log(JSON.stringify(figures));

		// The outage was felt (otherwise this test proves nothing), and answered the documented way.
		expect(unavailable.length, JSON.stringify(figures)).toBeGreaterThan(0);
		expect(figures.other, JSON.stringify(figures)).toEqual([]);
		for (const one of unavailable) {
			expect([one.info, one.retryAfter]).toEqual(["DATABASE_UNAVAILABLE", expect.stringMatching(/^[1-9][0-9]*$/)]);
			expect(JSON.parse(one.body)).toEqual({
				error: "DATABASE_UNAVAILABLE",
				message: expect.any(String),
				requestId: expect.any(String),
			});
			expect(one.body).not.toMatch(/select|insert|params| {4}at /i);
		}
		expect(figures.worstMs, JSON.stringify(figures)).toBeLessThan(5_000);
		expect(figures.recoveryMs, JSON.stringify(figures)).not.toBeNull();
		expect(figures.recoveryMs as number, JSON.stringify(figures)).toBeLessThan(2_000);
		// Once recovered, everything succeeds again.
		const settled = outcomes.filter((one) => one.startedAt > backAt + 2_000);
		expect(settled.length).toBeGreaterThan(0);
		expect(
			settled.filter((one) => one.status !== 200 && one.status !== 201).map((one) => `${one.status} ${one.info}`),
		).toEqual([]);
		expect([health.status, health.info, JSON.parse(health.body)]).toEqual([
			503,
			"health.degraded",
			{ status: "degraded", database: "unreachable" },
		]);
		expect(figures.health.ms, JSON.stringify(figures)).toBeLessThan(1_000);
	}, 60_000);

	it("answers /health 200 again once the database is back", async () => {
		const health = await timedRequest(base, "health", "/health");
		expect([health.status, health.info]).toEqual([200, "health.ok"]);
	});

	it("answers 503 DATABASE_UNAVAILABLE when PostgreSQL has no connection left", async () => {
		// Another client takes every slot the server has, then a new pool (a fresh instance of the app) asks for one.
		const hog = postgres(server.url("outage"), { max: 20, onnotice: () => {} });
		const held: postgres.ReservedSql[] = [];
		try {
			for (;;) held.push(await hog.reserve());
		} catch (error) {
			expect((error as { code?: string }).code).toBe("53300");
		}
		const fresh = await openDatabase(config);
		try {
			// GET /api/me enqueues nothing: the first app's queue will do.
			const second = buildIdentityApp(fresh.db, { logger: pino({ level: "silent" }), jobs }).app;
			const startedAt = performance.now();
			const response = await second.inject({ method: "GET", url: "/api/me", headers: user.headers });
			expect([response.statusCode, response.info, response.headers["retry-after"]]).toEqual([
				503,
				"DATABASE_UNAVAILABLE",
				expect.stringMatching(/^[1-9][0-9]*$/),
			]);
			expect(performance.now() - startedAt).toBeLessThan(5_000);
		} finally {
			for (const connection of held) connection.release();
			await hog.end({ timeout: 1 });
			await fresh.close();
		}
	}, 30_000);
});
