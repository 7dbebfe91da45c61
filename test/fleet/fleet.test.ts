// A fleet: three API instances (`node dist/main.js`, WORKER=off) and two workers (`node dist/worker.js`) on one
// PostgreSQL, every statement through PgBouncer in transaction mode and every LISTEN straight to PostgreSQL, the way
// docs/production.md deploys it. A client spreads requests over the instances like a load balancer (test/helpers/
// balancer.ts) and finds that nothing a request sees depends on the instance it reached.
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DatabaseHandle, openDatabase } from "../../src/db/client.js";
import { maintenanceCleanupJob } from "../../src/jobs/kinds.js";
import { type BalancedOutcome, type BalancedRequest, type Balancer, createBalancer } from "../helpers/balancer.js";
import type { FakeDofusDb } from "../helpers/fake-dofusdb.js";
import { type FleetDatabase, fleetTestBed } from "../helpers/fleet.js";
import { openSse } from "../helpers/sse-client.js";
import { type AppProcess, cronTicks, until } from "../helpers/worker-process.js";

const bed = fleetTestBed();
const baseDomain = "fleet.test";
const adminEmail = "admin@fleet.test";
const password = "correct horse battery staple";
/**
 * How long a test waits for a change made on one instance to be seen on the others: generous, for a loaded machine. The
 * caches hold what they serve far longer (cacheTtlMs), so a change seen within this was pushed to the instance, not
 * picked up at expiry. How soon it was seen is logged (the target is 1 s), not asserted: speed belongs to bench/.
 */
const propagationWaitMs = 30_000;
const cacheTtlMs = "3600000";
/** How long a cron occurrence stays due in pg-boss, plus a send-it poll and a margin (see processes-cron.test.ts). */
const tickClosedAfterMs = 75_000;

const apiEnv = {
	BASE_DOMAIN: baseDomain,
	ADMIN_EMAILS: adminEmail,
	LOGIN_MAX_FAILURES: "3",
	// The balancer is the proxy: its x-forwarded-for names the client (the throttling test sends one of its own).
	TRUST_PROXY: "1",
	// The balancer polls every 100 ms: 2 s of drain leaves it twenty polls to take an instance out, even when slow.
	SHUTDOWN_DRAIN_MS: "2000",
	// An hour, against a wait of 30 s: only an invalidation across instances explains a change seen within the wait.
	REFERENCE_CACHE_TTL_MS: cacheTtlMs,
	TENANT_CACHE_TTL_MS: cacheTtlMs,
	TENANT_NEGATIVE_TTL_MS: cacheTtlMs,
};

let database: FleetDatabase;
let direct: DatabaseHandle;
let balancer: Balancer;
const apis = new Map<string, { api: AppProcess; port: number }>();
let workers: AppProcess[];
let dofusDbs: FakeDofusDb[];

beforeAll(async () => {
	database = await bed.database("fleet");
	dofusDbs = [await bed.dofusDb(), await bed.dofusDb()];
	const started = await Promise.all(["a", "b", "c"].map((name) => bed.startApi(`api-${name}`, database, apiEnv)));
	for (const [index, name] of ["a", "b", "c"].entries()) apis.set(name, started[index] as (typeof started)[number]);
	// One fake DofusDB per worker: the one that is asked says which worker ran a sync.
	workers = await Promise.all(
		dofusDbs.map((fake, index) =>
			bed.startWorker(`worker-${index}`, database, { DOFUSDB_URL: fake.url, CLEANUP_CRON: "* * * * *" }),
		),
	);
	balancer = createBalancer();
	for (const [name, { port }] of apis) balancer.add(name, port);
	for (const name of apis.keys()) await balancer.whenReady(name);
	direct = await openDatabase({ DATABASE_URL: database.direct, DATABASE_POOL_SIZE: 2, PGLITE_DIR: "memory://" });
}, 300_000);

afterAll(async () => {
	balancer?.close();
	await direct?.close();
});

/** Sends through the balancer (to one instance with `to`); fails the test on anything but an answer. */
async function call(request: BalancedRequest): Promise<Extract<BalancedOutcome, { kind: "answered" }>> {
	const outcome = await balancer.send(request);
	if (outcome.kind !== "answered")
		throw new Error(`${request.method ?? "GET"} ${request.path}: ${JSON.stringify(outcome)}`);
	return outcome;
}

// biome-ignore lint/suspicious/noExplicitAny: the tests read the bodies they expect; assertions check their shape.
const json = (outcome: { body: string }): any => JSON.parse(outcome.body);

/** Polls GET /api/jobs/:id until the job is completed, failed or cancelled; resolves with it. */
function jobSettled(jobId: string, headers: Record<string, string>) {
	return until(
		`job ${jobId} to finish`,
		async () => {
			const read = json(await call({ path: `/api/jobs/${jobId}`, headers })).job;
			return ["completed", "failed", "cancelled"].includes(read.state) ? read : undefined;
		},
		60_000,
	);
}

let sequence = 0;

/** Registers on `to` and logs in there; returns the bearer header. */
async function signUp(to: string, email = `player${++sequence}@fleet.test`) {
	const registered = await call({
		to,
		method: "POST",
		path: "/api/auth/register",
		body: { email, password, displayName: email.split("@")[0] },
	});
	expect(registered.status, registered.body).toBe(201);
	const login = await call({ to, method: "POST", path: "/api/auth/login", body: { email, password } });
	expect(login.status, login.body).toBe(200);
	const { accessToken, user } = json(login);
	return { email, id: user.id as number, headers: { authorization: `Bearer ${accessToken}` } };
}

describe("a fleet of three API instances and two workers (PgBouncer in transaction mode, LISTEN direct)", () => {
	it("honours a session opened on A on B and C; closed on B, A refuses it at the next request", async () => {
		const player = await signUp("a");
		for (const to of ["b", "c"]) {
			const me = await call({ to, path: "/api/me", headers: player.headers });
			expect([me.status, json(me).user.email]).toEqual([200, player.email]);
		}
		expect((await call({ to: "b", method: "POST", path: "/api/auth/logout", headers: player.headers })).status).toBe(
			204,
		);
		const refused = await call({ to: "a", path: "/api/me", headers: player.headers });
		expect([refused.status, refused.headers.info]).toEqual([401, "session.revoked"]);
	}, 60_000);

	it("counts failed logins across instances: after one on each of A, B and C, A refuses the next attempt", async () => {
		const player = await signUp("a");
		const from = { "x-forwarded-for": "203.0.113.16" };
		const attempt = (to: string, attemptPassword: string) =>
			call({
				to,
				method: "POST",
				path: "/api/auth/login",
				headers: from,
				body: { email: player.email, password: attemptPassword },
			});
		const failures = [];
		for (const to of ["a", "b", "c"]) failures.push((await attempt(to, "wrong password, surely")).status);
		expect(failures).toEqual([401, 401, 401]);
		// The right password now: refused all the same, the limit (3) reached by failures counted on three instances.
		const throttled = await attempt("a", password);
		expect(throttled.status, throttled.body).toBe(429);
		expect(Number(throttled.headers["retry-after"])).toBeGreaterThan(0);
	}, 60_000);

	it("serves the lists a DofusDB sync run by a worker changed on every instance once it commits", async () => {
		const admin = await signUp("a", adminEmail);
		const servesNewServers = async (to: string) =>
			json(await call({ to, path: "/api/servers" })).servers.some(
				(server: { name: string }) => server.name === "Nouveau Serveur",
			);
		// Each instance caches the list it serves: read it everywhere first, so that a stale copy is there to be dropped.
		for (const to of ["a", "b", "c"]) expect(await servesNewServers(to)).toBe(false);

		const queued = await call({ to: "a", method: "POST", path: "/api/admin/sync/dofusdb", headers: admin.headers });
		expect(queued.status, queued.body).toBe(202);
		// The commit, seen from PostgreSQL itself (a direct connection, polled): the moment the new rows exist.
		const committedAt = await until(
			"the sync's commit",
			async () => {
				const rows = await direct.db.execute(sql`select 1 from servers where name = 'Nouveau Serveur'`);
				return (Array.isArray(rows) ? rows.length : 0) > 0 ? performance.now() : undefined;
			},
			60_000,
		);
		const lags = await Promise.all(
			["a", "b", "c"].map((to) =>
				until(
					`instance ${to} to serve the new servers`,
					async () => ((await servesNewServers(to)) ? performance.now() - committedAt : undefined),
					propagationWaitMs,
				),
			),
		);
		console.info(
			`[fleet] synced servers served ${lags.map((lag) => `${Math.max(0, lag).toFixed(0)} ms`).join(", ")} after the commit (A, B, C; target 1 s)`,
		);
		// Their lists were cached for an hour: each instance dropped its copy when the worker's sync said so. A worker
		// it was (the API instances run none): one of the fake DofusDB servers was asked for the pages.
		expect(dofusDbs.map((fake) => fake.requests.length > 0)).toContain(true);
		// Its end (after the commit) frees the sync's place: the next test starts one of its own.
		expect(await jobSettled(json(queued).job.id, admin.headers)).toMatchObject({ state: "completed" });
	}, 90_000);

	it("runs a job enqueued on A exactly once, on one of the two workers", async () => {
		const admin = await call({
			to: "a",
			method: "POST",
			path: "/api/auth/login",
			body: { email: adminEmail, password },
		});
		const headers = { authorization: `Bearer ${json(admin).accessToken}` };
		const asked = dofusDbs.map((fake) => fake.requests.length);
		const queued = await call({ to: "a", method: "POST", path: "/api/admin/sync/dofusdb", headers });
		expect(queued.status, queued.body).toBe(202);
		const jobId = json(queued).job.id as string;
		expect(await jobSettled(jobId, headers)).toMatchObject({ state: "completed", attempts: 1 });
		const [row] = (await direct.db.execute(
			sql`select retry_count, state::text as state from pgboss.job where id = ${jobId}::uuid`,
		)) as unknown as { retry_count: number; state: string }[];
		expect(row).toEqual({ retry_count: 0, state: "completed" });
		// One worker asked its DofusDB for one sync's pages; the other asked nothing.
		const askedNow = dofusDbs.map((fake, index) => fake.requests.length - (asked[index] ?? 0));
		expect(askedNow.filter((count) => count > 0)).toHaveLength(1);
		expect(askedNow.filter((count) => count === 0)).toHaveLength(1);
	}, 90_000);

	it("resolves a guild slug renamed on A on B and C, which had the old one cached", async () => {
		const owner = await signUp("a");
		const created = await call({
			to: "a",
			method: "POST",
			path: "/api/guilds",
			headers: owner.headers,
			body: { name: "Les Fleetards", slug: "fleetards" },
		});
		expect(created.status, created.body).toBe(201);
		const guildId = json(created).guild.id as number;
		const onHost = (to: string, slug: string) =>
			call({ to, path: "/api/guild", headers: { host: `${slug}.${baseDomain}` } });
		// B and C know the old slug, and know the new one as unknown (a cached miss): both must be forgotten.
		for (const to of ["b", "c"]) {
			expect((await onHost(to, "fleetards")).status).toBe(200);
			expect((await onHost(to, "fleet-lords")).headers.info).toBe("guild.unknown_host");
		}
		const renamed = await call({
			to: "a",
			method: "PATCH",
			path: `/api/guilds/${guildId}`,
			headers: owner.headers,
			body: { slug: "fleet-lords" },
		});
		expect(renamed.status, renamed.body).toBe(200);
		const renamedAt = performance.now();
		const lags = await Promise.all(
			["b", "c"].map((to) =>
				until(
					`instance ${to} to resolve the new slug`,
					async () => {
						const answer = await onHost(to, "fleet-lords");
						return answer.status === 200 && json(answer).guild.id === guildId
							? performance.now() - renamedAt
							: undefined;
					},
					propagationWaitMs,
				),
			),
		);
		console.info(
			`[fleet] renamed slug resolved ${lags.map((lag) => `${lag.toFixed(0)} ms`).join(", ")} after the rename (B, C; target 1 s)`,
		);
		// The old slug's entry (cached for an hour, like the new one's miss) was dropped too: B and C redirect it now.
		for (const to of ["b", "c"]) {
			const old = await onHost(to, "fleetards");
			expect([old.status, old.headers.location]).toEqual([308, `//fleet-lords.${baseDomain}/api/guild`]);
		}
	}, 90_000);

	it("delivers an event caused on C to an SSE client connected to A", async () => {
		const player = await signUp("b");
		const stream = await openSse(`http://127.0.0.1:${apis.get("a")?.port}/api/events`, player.headers);
		try {
			// The answer's head is sent once the hub holds the connection: events committed from now on reach it.
			expect(stream.status, stream.text()).toBe(200);
			const account = await call({
				to: "b",
				method: "POST",
				path: "/api/accounts",
				headers: player.headers,
				body: { name: "fleet-account" },
			});
			expect(account.status, account.body).toBe(201);
			const character = await call({
				to: "c",
				method: "POST",
				path: "/api/characters",
				headers: player.headers,
				body: { accountId: json(account).account.id, name: "Fleetix", level: 50, classId: 8, serverId: 2 },
			});
			expect(character.status, character.body).toBe(201);
			const createdAt = performance.now();
			const event = await stream.next((received) => received.json?.type === "character.created", propagationWaitMs);
			console.info(
				`[fleet] character.created from C reached A's stream ${(performance.now() - createdAt).toFixed(0)} ms after the answer`,
			);
			expect(event.json).toMatchObject({
				type: "character.created",
				room: `user:${player.id}`,
				data: { id: json(character).character.id, name: "Fleetix" },
			});
		} finally {
			stream.close();
		}
	}, 90_000);

	it("rolls a restart through A, B and C under steady load: no request fails, no acknowledged write is lost", async () => {
		const players: Awaited<ReturnType<typeof signUp>>[] = [];
		for (let index = 0; index < 4; index++) players.push(await signUp(["a", "b", "c"][index % 3] as string));
		const figures = { sent: 0, failed: 0, retriedAfterRefusal: 0, writesAcknowledged: 0 };
		const failures: string[] = [];
		const acknowledged = new Map<number, Set<string>>(players.map((player) => [player.id, new Set()]));
		let loading = true;
		const loop = async (index: number) => {
			const player = players[index % players.length] as Awaited<ReturnType<typeof signUp>>;
			for (let n = 0; loading; n++) {
				const write = n % 3 === 0;
				const name = `roll-${index}-${n}`;
				const outcome = await balancer.send(
					write
						? { method: "POST", path: "/api/accounts", headers: player.headers, body: { name } }
						: { path: n % 3 === 1 ? "/api/accounts" : "/api/characters", headers: player.headers },
				);
				figures.sent += 1;
				figures.retriedAfterRefusal += outcome.retries;
				const expected = write ? 201 : 200;
				if (outcome.kind === "answered" && outcome.status === expected) {
					if (write) {
						figures.writesAcknowledged += 1;
						acknowledged.get(player.id)?.add(name);
					}
				} else {
					figures.failed += 1;
					if (failures.length < 20) failures.push(JSON.stringify(outcome).slice(0, 300));
					// No instance ready (what a load balancer answers 503 for): the client waits before its next request.
					if (outcome.kind === "no-backend") await new Promise((resolve) => setTimeout(resolve, 50));
				}
			}
		};
		const loops = Array.from({ length: 12 }, (_, index) => loop(index));
		await new Promise((resolve) => setTimeout(resolve, 1_000));

		const restarts: string[] = [];
		for (const name of ["a", "b", "c"]) {
			const old = apis.get(name);
			if (old === undefined) throw new Error(`no instance ${name}`);
			const signalledAt = performance.now();
			old.api.child.kill("SIGTERM");
			await balancer.whenNotReady(name, 60_000);
			const outAfter = performance.now() - signalledAt;
			const exit = await old.api.exited;
			expect(exit, old.api.output()).toEqual({ code: 0, signal: null });
			// Its port is free now, and may be another process's next: the balancer forgets it.
			balancer.remove(name);
			const fresh = await bed.startApi(`api-${name}-restarted`, database, apiEnv);
			apis.set(name, fresh);
			balancer.add(name, fresh.port);
			await balancer.whenReady(name, 120_000);
			restarts.push(
				`${name}: out of rotation ${outAfter.toFixed(0)} ms after SIGTERM, back after ${((performance.now() - signalledAt) / 1000).toFixed(1)} s`,
			);
			await new Promise((resolve) => setTimeout(resolve, 500));
		}
		await new Promise((resolve) => setTimeout(resolve, 1_000));
		loading = false;
		await Promise.all(loops);

		let missing = 0;
		for (const player of players) {
			const listed = await call({ path: "/api/accounts", headers: player.headers });
			const stored = new Set(json(listed).accounts.map((account: { name: string }) => account.name));
			for (const name of acknowledged.get(player.id) ?? []) if (!stored.has(name)) missing += 1;
		}
		console.info(
			`[rolling restart] sent ${figures.sent}, failed ${figures.failed}, retried after a refused connection ${figures.retriedAfterRefusal}, ` +
				`sent while no instance was ready ${balancer.failedOpen()}, ` +
				`writes acknowledged ${figures.writesAcknowledged}, missing ${missing}; ${restarts.join("; ")}`,
		);
		expect(failures, balancer.transitions().join("\n")).toEqual([]);
		expect(missing).toBe(0);
		expect(figures.writesAcknowledged).toBeGreaterThan(0);
	}, 300_000);

	it("fires the clean-up cron once per tick across both workers", async () => {
		const first = await until(
			"a first clean-up tick",
			async () => (await cronTicks(direct.db, maintenanceCleanupJob.name)).ticks[0],
			90_000,
		);
		await new Promise((resolve) => setTimeout(resolve, Math.max(0, first.slot + tickClosedAfterMs - Date.now())));
		const { ticks, strays } = await cronTicks(direct.db, maintenanceCleanupJob.name);
		const closed = ticks.filter((tick) => tick.slot + tickClosedAfterMs <= Date.now());
		console.info(
			`[fleet cron] ${closed.length} closed tick(s): ${closed.map((tick) => `${new Date(tick.slot).toISOString()} ${tick.forwards} forward(s), ${tick.jobs} job(s)`).join("; ")}; ${strays} stray job(s)`,
		);
		expect(closed.length).toBeGreaterThanOrEqual(1);
		expect(closed.map(({ forwards, jobs, completed }) => ({ forwards, jobs, completed }))).toEqual(
			closed.map(() => ({ forwards: 1, jobs: 1, completed: 1 })),
		);
		expect(strays).toBe(0);
		expect(workers.every((worker) => worker.running)).toBe(true);
	}, 240_000);
});
