// `npm run bench:tenancy` (and a phase of `npm run bench`): what resolving the guild from the Host costs on a guild host
// against the bare domain, the tenant cache's hit rate under a mixed-host load, and what the per-user cache saves.
//
// Two parts. In process (`--micro`, a child pinned to CPU 1): the resolver alone in ns per call, and app.inject of
// GET /hello and GET /api/guild, so that a cached resolution is compared with a whole request without sockets. Over
// HTTP: `node dist/main.js` on a seeded PGlite directory, twice (USER_CACHE_TTL_MS on and 0), autocannon on CPU 0,
// interleaved rounds; the tenant cache's hits and misses are read from GET /metrics before and after the mixed load.
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { cp, mkdtemp, rm } from "node:fs/promises";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { runLoad } from "./lib/load.mjs";
import { runJsonChild, startServer } from "./lib/processes.mjs";
import { median } from "./lib/stats.mjs";

const self = fileURLToPath(import.meta.url);
const benchDir = fileURLToPath(new URL(".", import.meta.url));
const root = join(benchDir, "..");
const log = (line) => process.stderr.write(`${line}\n`);

export const tenancyDefaults = {
	guilds: 200,
	/** Of the guilds, how many also answer at an activated custom domain `g<n>.bench-custom.test`. */
	customDomains: 20,
	connections: 50,
	seconds: 5,
	warmup: 2,
	rounds: 3,
	pin: true,
	port: 3600,
	distDir: process.env.BENCH_DIST_DIR || join(root, "dist"),
};

const baseDomain = "bench.local";
const metricsToken = `bench-metrics-${randomBytes(8).toString("hex")}`;
const guildHost = (n) => `guild-${n}.${baseDomain}`;

// ---------------------------------------------------------------------------------------------------
// The database: guilds with slugs and custom domains, the bench user with 100 characters and teams, a live session.

/**
 * Seeds a fresh PGlite directory straight through the services (signing guilds up over HTTP would time the API, not
 * the reads): `guilds` guilds `guild-1`… owned by the bench user, the first `customDomains` with an active custom
 * domain; 100 characters; 3 personal teams and 3 teams of guild-1 holding some of them. Returns the session token.
 */
async function seedDirectory(pgliteDir, settings) {
	const dist = settings.distDir;
	const { startDatabase, schema } = await import(join(dist, "db/index.js"));
	const { createGuildService } = await import(join(dist, "services/guilds.js"));
	const { generateToken, hashToken } = await import(join(dist, "services/tokens.js"));
	const handle = await startDatabase({ DATABASE_URL: undefined, DATABASE_POOL_SIZE: 1, PGLITE_DIR: pgliteDir });
	try {
		const { db } = handle;
		const [user] = await db
			.insert(schema.users)
			.values({ email: "bench-tenancy@bench.invalid", passwordHash: "none: signs in by session", displayName: "Bench" })
			.returning({ id: schema.users.id });
		const token = generateToken();
		await db.insert(schema.sessions).values({
			userId: user.id,
			accessTokenHash: hashToken(token),
			accessExpiresAt: new Date(Date.now() + 4 * 3_600_000),
		});
		const guilds = createGuildService(db);
		const guildIds = [];
		for (let n = 1; n <= settings.guilds; n++) {
			const guild = await guilds.create(user.id, `Bench guild ${n}`, `guild-${n}`);
			guildIds.push(guild.id);
		}
		await db
			.insert(schema.guildDomains)
			.values(
				guildIds
					.slice(0, settings.customDomains)
					.map((guildId, index) => ({ guildId, domain: `g${index + 1}.bench-custom.test`, activatedAt: new Date() })),
			);
		const classIds = (await db.select({ id: schema.classes.id }).from(schema.classes)).map((row) => row.id);
		const [server] = await db.select({ id: schema.servers.id }).from(schema.servers).limit(1);
		const [account] = await db
			.insert(schema.gameAccounts)
			.values({ userId: user.id, name: "bench" })
			.returning({ id: schema.gameAccounts.id });
		const characters = await db
			.insert(schema.characters)
			.values(
				Array.from({ length: 100 }, (_, n) => ({
					accountId: account.id,
					name: `Bench-${n}`,
					level: 1 + n,
					classId: classIds[n % classIds.length],
					serverId: server.id,
				})),
			)
			.returning({ id: schema.characters.id });
		const teams = await db
			.insert(schema.teams)
			.values([
				...[1, 2, 3].map((n) => ({ name: `Mine ${n}`, ownerUserId: user.id, guildId: null, serverId: server.id })),
				...[1, 2, 3].map((n) => ({ name: `Guild ${n}`, ownerUserId: null, guildId: guildIds[0], serverId: server.id })),
			])
			.returning({ id: schema.teams.id });
		await db
			.insert(schema.teamMembers)
			.values(
				teams.flatMap((team, t) =>
					characters.slice(t * 8, t * 8 + 8).map((c) => ({ teamId: team.id, characterId: c.id })),
				),
			);
		return token;
	} finally {
		await handle.close();
	}
}

// ---------------------------------------------------------------------------------------------------
// In process: the resolver and app.inject (run as a child: `node bench/tenancy.mjs --micro`).

/**
 * Times each case in batches, the cases taking turns batch after batch (A B C, A B C…), so that a busy moment of the
 * machine lands on all of them; the median batch of each, in ns per iteration.
 */
async function timeInTurns(cases, batches) {
	const samples = Object.fromEntries(Object.keys(cases).map((name) => [name, []]));
	for (let batch = 0; batch < batches; batch++) {
		for (const [name, { iterations, body }] of Object.entries(cases)) {
			const started = process.hrtime.bigint();
			await body(iterations);
			samples[name].push(Number(process.hrtime.bigint() - started) / iterations);
		}
	}
	return Object.fromEntries(Object.entries(samples).map(([name, values]) => [name, median(values)]));
}

async function micro(settings) {
	const dist = settings.distDir;
	const { buildApp } = await import(join(dist, "app.js"));
	const { startDatabase } = await import(join(dist, "db/index.js"));
	const { createLogger } = await import(join(dist, "logger.js"));
	const { createJobQueue } = await import(join(dist, "jobs/queue.js"));
	const { jobKinds } = await import(join(dist, "jobs/kinds.js"));
	const { createTenantTableCache } = await import(join(dist, "tenancy/lookups.js"));
	const { createHostResolver } = await import(join(dist, "tenancy/resolver.js"));
	const { tenancySettings } = await import(join(dist, "tenancy/settings.js"));
	const { parseSecretKey } = await import(join(dist, "secrets/keyring.js"));

	const dir = await mkdtemp(join(tmpdir(), "dofus-manager-bench-tenancy-micro-"));
	const pgliteDir = join(dir, "pglite");
	await seedDirectory(pgliteDir, { ...settings, guilds: 50, customDomains: 5 });
	const config = {
		APP_ENV: "PROD",
		LOG_LEVEL: "warn",
		BODY_LIMIT: 1_048_576,
		SHUTDOWN_TIMEOUT_MS: 1000,
		BENCH: true,
		BASE_DOMAIN: baseDomain,
		// PROD refuses to sign download URLs with the public development key.
		SECRETS_KEY: parseSecretKey(`bench:${randomBytes(32).toString("base64")}`),
	};
	const database = await startDatabase({ PGLITE_DIR: pgliteDir, DATABASE_POOL_SIZE: 1, DATABASE_URL: undefined });
	const logger = createLogger(config);
	const jobs = createJobQueue({ handle: database, logger, kinds: jobKinds, role: "api" });
	await jobs.start();
	const app = buildApp({ config, logger, db: database.db, jobs });
	try {
		const tenancy = tenancySettings(config);
		const resolver = createHostResolver(createTenantTableCache(database.db, tenancy), tenancy);
		const hosts = Array.from({ length: 50 }, (_, index) => guildHost(index + 1));
		for (const host of hosts) await resolver.resolve(host, undefined);
		await resolver.resolve(baseDomain, "guild-1");
		const resolveAll = (pick) => async (iterations) => {
			let sink = 0;
			for (let index = 0; index < iterations; index++) {
				const [host, header] = pick(index);
				if (resolver.resolve(host, header) !== undefined) sink++;
			}
			return sink;
		};
		const iterations = 200_000;
		await timeInTurns(
			{ warm: { iterations, body: resolveAll((index) => [hosts[index % hosts.length], undefined]) } },
			3,
		);
		const resolveNs = await timeInTurns(
			{
				bare: { iterations, body: resolveAll(() => [baseDomain, undefined]) },
				guild: { iterations, body: resolveAll((index) => [hosts[index % hosts.length], undefined]) },
				header: { iterations, body: resolveAll(() => [baseDomain, "guild-1"]) },
			},
			9,
		);

		const injecting = async (url, host, expected, iterations) => {
			const request = { method: "GET", url, headers: { host } };
			const first = await app.inject(request);
			if (first.statusCode !== expected)
				throw new Error(`GET ${url} on ${host} answered ${first.statusCode}: ${first.body}`);
			const body = async (count) => {
				for (let index = 0; index < count; index++) await app.inject(request);
			};
			await body(iterations);
			return { iterations, body };
		};
		// GET /api/guild reads the database (milliseconds on PGlite): fewer of those.
		const injectNs = await timeInTurns(
			{
				helloBareNs: await injecting("/hello", baseDomain, 200, 10_000),
				helloGuildNs: await injecting("/hello", guildHost(1), 200, 10_000),
				guildRequestNs: await injecting("/api/guild", guildHost(1), 200, 200),
			},
			7,
		);
		return { resolveNs, injectNs };
	} finally {
		await app.close();
		await jobs.stop();
		await database.close();
		await rm(dir, { recursive: true, force: true });
	}
}

// ---------------------------------------------------------------------------------------------------
// Over HTTP.

function appServer(pgliteDir, userCacheTtlMs, settings) {
	return {
		command: process.execPath,
		args: [join(settings.distDir, "main.js")],
		cwd: root,
		env: {
			APP_ENV: "PROD",
			BENCH: "1",
			LOG_LEVEL: "warn",
			DATABASE_URL: "",
			PGLITE_DIR: pgliteDir,
			SECRETS_KEY: `bench:${randomBytes(32).toString("base64")}`,
			BASE_DOMAIN: baseDomain,
			METRICS_TOKEN: metricsToken,
			USER_CACHE_TTL_MS: String(userCacheTtlMs),
			// Nothing scheduled runs during the measurement.
			DOFUSDB_SYNC_CRON: "off",
			CLEANUP_CRON: "off",
		},
		readyPath: "/hello",
	};
}

async function scrapeTenantCache(url) {
	const response = await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${metricsToken}` } });
	const text = await response.text();
	const counts = {};
	for (const match of text.matchAll(/^dofus_manager_tenant_cache_lookups_total\{result="(\w+)"\} (\S+)$/gm))
		counts[match[1]] = Number(match[2]);
	return counts;
}

/** A deterministic mix: hosts drawn with a Zipf-like skew (a few guilds take most requests), as real traffic is. */
function mixedHostRequests(settings) {
	let seed = 42;
	const random = () => {
		seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
		return seed / 2 ** 31;
	};
	const zipf = (n) => Math.min(n, Math.floor(n ** random()));
	const requests = [];
	// 500 requests in turn per connection (the list travels to the load generator on its command line).
	for (let index = 0; index < 500; index++) {
		const draw = random();
		let headers;
		if (draw < 0.7) headers = { host: guildHost(zipf(settings.guilds)) };
		else if (draw < 0.8) headers = { host: `g${zipf(settings.customDomains)}.bench-custom.test` };
		else if (draw < 0.9) headers = { host: baseDomain, "x-guild": `guild-${zipf(settings.guilds)}` };
		else if (draw < 0.95) headers = { host: `nobody-${Math.floor(random() * 50)}.${baseDomain}` };
		else headers = { host: `GUILD-${zipf(settings.guilds)}.${baseDomain.toUpperCase()}.:443` };
		requests.push({ method: "GET", path: "/api/guild", headers });
	}
	return requests;
}

const clockTicks = (() => {
	try {
		return Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
	} catch {
		return 100;
	}
})();

/** CPU time a process used so far, in ms (Linux /proc; NaN elsewhere). PGlite runs inside the server: its queries count. */
function cpuMs(pid) {
	try {
		const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
		const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
		return ((Number(fields[11]) + Number(fields[12])) / clockTicks) * 1000;
	} catch {
		return Number.NaN;
	}
}

/**
 * Interleaved rounds of each case (the order flips every other round). Besides requests per second, the server's CPU
 * time per answered request: on a machine other processes also use, throughput says how much CPU was left to the
 * server, CPU per request what a request costs.
 */
async function measureRounds(cases, settings) {
	for (const entry of cases) {
		log(`tenancy / ${entry.title}: warm-up ${settings.warmup} s`);
		await runLoad({ ...entry.spec, duration: settings.warmup }, settings);
		entry.samples = [];
	}
	for (let round = 1; round <= settings.rounds; round++) {
		for (const entry of round % 2 === 0 ? [...cases].reverse() : cases) {
			const before = cpuMs(entry.server.child.pid);
			const sample = await runLoad({ ...entry.spec, duration: settings.seconds }, settings);
			sample.cpuUsPerRequest = ((cpuMs(entry.server.child.pid) - before) * 1000) / Math.max(sample.total, 1);
			sample.loadAverage = loadavg()[0];
			entry.samples.push(sample);
			log(
				`tenancy / ${entry.title}: round ${round}: ${Math.round(sample.requestsPerSecond)} req/s, p50 ${sample.latencyP50} ms`,
			);
		}
	}
	return cases.map(({ id, title, samples }) => ({
		id,
		title,
		requestsPerSecond: median(samples.map((sample) => sample.requestsPerSecond)),
		latencyP50: median(samples.map((sample) => sample.latencyP50)),
		latencyP99: median(samples.map((sample) => sample.latencyP99)),
		cpuUsPerRequest: median(samples.map((sample) => sample.cpuUsPerRequest)),
		loadAverage: Math.max(...samples.map((sample) => sample.loadAverage)),
		statusCodes: samples.reduce((all, sample) => {
			for (const [code, count] of Object.entries(sample.statusCodes)) all[code] = (all[code] ?? 0) + count;
			return all;
		}, {}),
		errors: samples.reduce((sum, sample) => sum + sample.errors + sample.timeouts, 0),
	}));
}

export async function runTenancyBenchmark(overrides = {}) {
	const settings = { ...tenancyDefaults, ...overrides };
	const startedAt = new Date();
	log("tenancy: in-process resolution and app.inject…");
	const inProcess = await runJsonChild([process.execPath, self, "--micro", JSON.stringify(settings)], {
		cpu: 1,
		pin: settings.pin,
		label: "tenancy micro-benchmark",
	});

	const dir = await mkdtemp(join(tmpdir(), "dofus-manager-bench-tenancy-"));
	const servers = [];
	try {
		log(`tenancy: seeding ${settings.guilds} guilds, 100 characters, 6 teams…`);
		const cachedDir = join(dir, "cached");
		const token = await seedDirectory(cachedDir, settings);
		// The same data for the server without a user cache: each PGlite directory is opened by one process only.
		const uncachedDir = join(dir, "uncached");
		await cp(cachedDir, uncachedDir, { recursive: true });
		const cached = await startServer({
			name: "cached",
			port: settings.port,
			pin: settings.pin,
			...appServer(cachedDir, 300_000, settings),
		});
		servers.push(cached);
		const uncached = await startServer({
			name: "uncached",
			port: settings.port + 1,
			pin: settings.pin,
			...appServer(uncachedDir, 0, settings),
		});
		servers.push(uncached);

		const bearer = { authorization: `Bearer ${token}` };
		const spec = (server, path, headers) => ({
			url: server.url + path,
			method: "GET",
			headers,
			connections: settings.connections,
		});
		const hosts = await measureRounds(
			[
				{
					id: "hello-bare",
					title: "GET /hello, bare domain",
					server: cached,
					spec: spec(cached, "/hello", { host: baseDomain }),
				},
				{
					id: "hello-guild",
					title: "GET /hello, guild host",
					server: cached,
					spec: spec(cached, "/hello", { host: guildHost(1) }),
				},
				{
					id: "guild",
					title: "GET /api/guild, guild host",
					server: cached,
					spec: spec(cached, "/api/guild", { host: guildHost(1) }),
				},
			],
			settings,
		);

		const before = await scrapeTenantCache(cached.url);
		const mixed = await measureRounds(
			[
				{
					id: "mixed",
					title: "GET /api/guild, mixed hosts",
					server: cached,
					spec: { ...spec(cached, "/api/guild", {}), requests: mixedHostRequests(settings) },
				},
			],
			settings,
		);
		const after = await scrapeTenantCache(cached.url);
		const delta = Object.fromEntries(
			["hit", "negative_hit", "miss", "shared_miss"].map((result) => [
				result,
				(after[result] ?? 0) - (before[result] ?? 0),
			]),
		);
		const resolutions = Object.values(delta).reduce((sum, count) => sum + count, 0);

		const userReads = await measureRounds(
			[
				["characters", "/api/characters?page=1&limit=20"],
				["teams", "/api/teams"],
				["me", "/api/me"],
			].flatMap(([id, path]) => [
				{ id: `${id}-cached`, title: `GET ${path}, user cache`, server: cached, spec: spec(cached, path, bearer) },
				{
					id: `${id}-uncached`,
					title: `GET ${path}, no user cache`,
					server: uncached,
					spec: spec(uncached, path, bearer),
				},
			]),
			settings,
		);

		const result = {
			startedAt: startedAt.toISOString(),
			settings: { ...settings, distDir: undefined },
			inProcess,
			hosts,
			mixed: {
				...mixed[0],
				tenantCache: delta,
				hitRate: resolutions === 0 ? 0 : (delta.hit + delta.negative_hit) / resolutions,
			},
			userReads,
		};
		return result;
	} finally {
		for (const server of servers.reverse()) await server.stop().catch(() => {});
		await rm(dir, { recursive: true, force: true });
	}
}

// ---------------------------------------------------------------------------------------------------

const integer = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });
const fmt = (value, digits = 2) => (Number.isFinite(value) ? value.toFixed(digits) : "—");

export function tenancyMarkdown(run) {
	const { resolveNs, injectNs } = run.inProcess;
	const share = (ns, of = injectNs.guildRequestNs) => `${fmt((ns / of) * 100, 3)} %`;
	const byId = Object.fromEntries([...run.hosts, ...run.userReads].map((entry) => [entry.id, entry]));
	const lines = [
		"Tenancy: host resolution and the per-user cache",
		"",
		"| resolution (in process, cached) | ns / call | share of an app.inject GET /api/guild | of a GET /hello |",
		"|---|---:|---:|---:|",
		...[
			["bare domain", resolveNs.bare],
			["guild subdomain (50 hosts in turn)", resolveNs.guild],
			["bare domain + X-Guild", resolveNs.header],
		].map(([what, ns]) => `| ${what} | ${fmt(ns, 1)} | ${share(ns)} | ${share(ns, injectNs.helloBareNs)} |`),
		"",
		"| app.inject (no socket) | ns / request |",
		"|---|---:|",
		`| GET /hello, bare domain | ${integer.format(injectNs.helloBareNs)} |`,
		`| GET /hello, guild host | ${integer.format(injectNs.helloGuildNs)} |`,
		`| GET /api/guild, guild host | ${integer.format(injectNs.guildRequestNs)} |`,
		"",
		"| over HTTP | req/s (median) | p50 ms | p99 ms | server CPU µs / request | answers |",
		"|---|---:|---:|---:|---:|---|",
	];
	const row = (entry) =>
		`| ${entry.title} | ${integer.format(entry.requestsPerSecond)} | ${fmt(entry.latencyP50)} | ${fmt(entry.latencyP99)} | ${integer.format(entry.cpuUsPerRequest)} | ${Object.entries(
			entry.statusCodes,
		)
			.map(([code, count]) => `${code}: ${integer.format(count)}`)
			.join(", ")}${entry.errors > 0 ? `, ${entry.errors} errors` : ""} |`;
	for (const entry of [...run.hosts, run.mixed, ...run.userReads]) lines.push(row(entry));
	const busiest = Math.max(...[...run.hosts, run.mixed, ...run.userReads].map((entry) => entry.loadAverage));
	lines.push("", `Highest 1-minute load average during a measurement: ${fmt(busiest, 1)} (2 means both CPUs busy).`);
	const cache = run.mixed.tenantCache;
	lines.push(
		"",
		`Tenant cache under the mixed load: hit rate ${fmt(run.mixed.hitRate * 100, 3)} % (${integer.format(cache.hit)} hits, ${integer.format(cache.negative_hit)} remembered unknown hosts, ${integer.format(cache.miss)} database lookups, ${integer.format(cache.shared_miss)} shared).`,
		"",
		"| user cache | with: req/s, CPU µs / request | without | CPU saved |",
		"|---|---:|---:|---:|",
	);
	for (const id of ["characters", "teams", "me"]) {
		const withCache = byId[`${id}-cached`];
		const without = byId[`${id}-uncached`];
		lines.push(
			`| ${withCache.title.replace(", user cache", "")} | ${integer.format(withCache.requestsPerSecond)}, ${integer.format(withCache.cpuUsPerRequest)} µs | ${integer.format(without.requestsPerSecond)}, ${integer.format(without.cpuUsPerRequest)} µs | ${fmt((1 - withCache.cpuUsPerRequest / without.cpuUsPerRequest) * 100, 0)} % |`,
		);
	}
	return lines.join("\n");
}

if (process.argv[1] === self) {
	if (process.argv[2] === "--micro") {
		process.stdout.write(JSON.stringify(await micro(JSON.parse(process.argv[3]))));
		process.exit(0);
	}
	const run = await runTenancyBenchmark({ pin: !process.argv.includes("--no-pin") });
	const report = tenancyMarkdown(run);
	process.stdout.write(`\n${report}\n`);
	const { mkdir, writeFile } = await import("node:fs/promises");
	await mkdir(join(benchDir, "results"), { recursive: true });
	const file = join(benchDir, "results", `tenancy-${run.startedAt.replace(/[:.]/g, "-")}`);
	await writeFile(`${file}.json`, `${JSON.stringify(run, null, "\t")}\n`);
	await writeFile(`${file}.md`, `${report}\n`);
	log(`results written to ${file}.json and .md`);
	process.exit(0);
}
