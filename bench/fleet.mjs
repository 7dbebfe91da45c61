// `npm run bench:fleet` (and a phase of `npm run bench`): GET /api/characters with a bearer token over one API instance,
// then over three, on one PostgreSQL through PgBouncer (transaction mode), the same total load (the same connections,
// spread over the instances); req/s and p99 of each, and their ratio, in interleaved rounds.
//
// It starts its own PostgreSQL (initdb) and PgBouncer with the test helpers (TypeScript): the measurement runs in a
// child `node --import tsx bench/fleet.mjs --measure`, which `runFleetBenchmark` starts and reads one JSON summary of.
// Nothing is pinned: the instances, PgBouncer, PostgreSQL and the load generator share the machine's cores, which is
// what the ratio measures (on 2 cores, three instances have no third core to run on: the report says so).
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { runLoad } from "./lib/load.mjs";
import { startServer } from "./lib/processes.mjs";
import { median } from "./lib/stats.mjs";

const self = fileURLToPath(import.meta.url);
const benchDir = fileURLToPath(new URL(".", import.meta.url));
const root = join(benchDir, "..");
const log = (line) => process.stderr.write(`${line}\n`);

export const fleetDefaults = {
	connections: 48,
	seconds: 5,
	warmup: 2,
	rounds: 3,
	/** Connections of each instance's pool, and of PgBouncer to PostgreSQL (what every instance shares). */
	poolSize: 10,
	bouncerPoolSize: 20,
};

const secretsKey = `bench-fleet:${randomBytes(32).toString("base64")}`;

/** In the child: PostgreSQL, PgBouncer, the seed, four instances (one alone, three together), the rounds. */
async function measure(settings) {
	const { startThrowawayPostgres } = await import(join(root, "test/helpers/throwaway-postgres.ts"));
	const { startPgBouncer } = await import(join(root, "test/helpers/pgbouncer.ts"));
	const { freePort } = await import(join(root, "test/helpers/throwaway-postgres.ts"));
	const cleanups = [];
	try {
		const postgres = await startThrowawayPostgres({ settings: { max_connections: "200" } });
		cleanups.push(() => postgres.remove());
		const direct = await postgres.createDatabase("fleet_bench");
		const bouncer = await startPgBouncer({ postgresPort: postgres.port, poolSize: settings.bouncerPoolSize });
		cleanups.push(() => bouncer.stop());
		const pooled = bouncer.url("fleet_bench");
		log("fleet: seeding 10,000 characters…");
		await runChild([process.execPath, join(benchDir, "lib", "seed-characters.mjs")], {
			DATABASE_URL: direct,
			PGLITE_DIR: "",
		});
		const env = {
			APP_ENV: "PROD",
			LOG_LEVEL: "warn",
			SECRETS_KEY: secretsKey,
			DATABASE_URL: pooled,
			DATABASE_LISTEN_URL: direct,
			DATABASE_PREPARE: bouncer.supportsPreparedStatements ? "true" : "false",
			DATABASE_POOL_SIZE: String(settings.poolSize),
			WORKER: "off",
			BASE_DOMAIN: "bench.local",
			// The database path, as scenario 3 measures it: no per-user cache in front of it.
			USER_CACHE_TTL_MS: "0",
		};
		const instances = [];
		for (let index = 0; index < 4; index++) {
			const server = await startServer({
				name: index === 0 ? "fleet-solo" : `fleet-trio-${index}`,
				command: process.execPath,
				args: ["dist/main.js"],
				cwd: root,
				env,
				// Ports the OS says are free: fixed ones may be another benchmark's on a shared machine.
				port: await freePort(),
				readyPath: "/health/ready",
				pin: false,
			});
			cleanups.push(server.stop);
			instances.push(server);
		}
		const login = await fetch(`${instances[0].url}/api/auth/login`, {
			method: "POST",
			headers: { "content-type": "application/json" },
			body: JSON.stringify({ email: "bench@dofus-manager.local", password: "bench-bench-bench" }),
		});
		if (login.status !== 200) throw new Error(`login answered ${login.status}: ${await login.text()}`);
		const { accessToken } = await login.json();
		const path = "/api/characters?page=1&limit=20";
		const headers = { authorization: `Bearer ${accessToken}` };
		for (const instance of instances) {
			const answer = await fetch(instance.url + path, { headers });
			const body = await answer.json();
			if (answer.status !== 200 || body.characters?.length !== 20)
				throw new Error(`${instance.url}${path} answered ${answer.status}: ${JSON.stringify(body).slice(0, 200)}`);
		}
		const configurations = [
			{ id: "one", title: "1 instance", urls: [instances[0].url] },
			{ id: "three", title: "3 instances", urls: instances.slice(1).map((instance) => instance.url) },
		];
		// autocannon spreads its connections over the URLs in turn: the same connections, over one or three instances.
		const spec = (configuration, duration) => ({
			url: configuration.urls.map((url) => url + path),
			method: "GET",
			headers,
			connections: settings.connections,
			duration,
		});
		const samples = { one: [], three: [] };
		for (const configuration of configurations) {
			log(`fleet / ${configuration.title}: warm-up ${settings.warmup} s`);
			await runLoad(spec(configuration, settings.warmup), { pin: false });
		}
		for (let round = 1; round <= settings.rounds; round++) {
			for (const configuration of round % 2 === 0 ? [...configurations].reverse() : configurations) {
				const sample = await runLoad(spec(configuration, settings.seconds), { pin: false });
				sample.loadAverage = loadavg()[0];
				samples[configuration.id].push(sample);
				log(
					`fleet / ${configuration.title}: round ${round}: ${Math.round(sample.requestsPerSecond)} req/s, p99 ${sample.latencyP99} ms`,
				);
			}
		}
		const summary = (id) => {
			const entries = samples[id];
			return {
				requestsPerSecond: median(entries.map((sample) => sample.requestsPerSecond)),
				latencyP50: median(entries.map((sample) => sample.latencyP50)),
				latencyP99: median(entries.map((sample) => sample.latencyP99)),
				unexpected: entries.reduce(
					(sum, sample) =>
						sum +
						sample.errors +
						sample.timeouts +
						Object.entries(sample.statusCodes)
							.filter(([code]) => code !== "200")
							.reduce((total, [, count]) => total + count, 0),
					0,
				),
				samples: entries,
			};
		};
		const one = summary("one");
		const three = summary("three");
		return {
			startedAt: new Date().toISOString(),
			machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model, node: process.version },
			settings,
			pgBouncer: bouncer.version,
			prepare: env.DATABASE_PREPARE,
			one,
			three,
			// Round by round, then the median: the same machine state for both in a round.
			ratio: median(
				samples.three.map((sample, index) => sample.requestsPerSecond / samples.one[index].requestsPerSecond),
			),
		};
	} finally {
		for (const cleanup of cleanups.reverse()) await cleanup().catch((error) => log(`cleanup failed: ${error.message}`));
	}
}

/** Runs `command` from the repository root with `env` on top of ours; its output goes to our stderr. */
function runChild(command, env = {}) {
	return new Promise((resolve, reject) => {
		const child = spawn(command[0], command.slice(1), {
			cwd: root,
			env: { ...process.env, ...env },
			stdio: ["ignore", process.stderr, process.stderr],
		});
		child.once("error", reject);
		child.once("exit", (code) =>
			code === 0 ? resolve() : reject(new Error(`${command.join(" ")} exited with ${code}`)),
		);
	});
}

/**
 * Runs the measurement in a child with tsx (the helpers are TypeScript) and resolves with its summary, which it writes
 * to a file: the servers it starts print to the same stdout.
 */
export async function runFleetBenchmark(options = {}) {
	const settings = { ...fleetDefaults, ...options };
	const pgBouncer = process.env.PGBOUNCER_BIN ?? "/usr/sbin/pgbouncer";
	if (!existsSync(pgBouncer)) {
		log(
			`fleet benchmark skipped: PgBouncer is missing at ${pgBouncer} (apt-get install pgbouncer, or set PGBOUNCER_BIN)`,
		);
		return { startedAt: new Date().toISOString(), skipped: `PgBouncer is missing at ${pgBouncer}` };
	}
	const folder = await mkdtemp(join(tmpdir(), "bench-fleet-"));
	try {
		const output = join(folder, "summary.json");
		await runChild([process.execPath, "--import", "tsx", self, "--measure", JSON.stringify(settings), output]);
		return JSON.parse(await readFile(output, "utf8"));
	} finally {
		await rm(folder, { recursive: true, force: true });
	}
}

export function fleetMarkdown(run) {
	if (run.skipped !== undefined) return `### Fleet: skipped (${run.skipped})`;
	const integer = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });
	const highestLoad = Math.max(...[...run.one.samples, ...run.three.samples].map((sample) => sample.loadAverage));
	const row = (title, entry) =>
		`| ${title} | ${integer.format(entry.requestsPerSecond)} | ${entry.latencyP50} | ${entry.latencyP99} | ${entry.unexpected} |`;
	return [
		`### Fleet: GET /api/characters (bearer, first page of 100), one PostgreSQL through PgBouncer ${run.pgBouncer}`,
		"",
		`${run.settings.connections} connections in both cases (over 3 instances: a third each), ${run.settings.rounds} interleaved rounds of ${run.settings.seconds} s, medians. Each instance: DATABASE_POOL_SIZE=${run.settings.poolSize}, DATABASE_PREPARE=${run.prepare}; PgBouncer: ${run.settings.bouncerPoolSize} server connections.`,
		"",
		"| instances | req/s | p50 ms | p99 ms | unexpected answers |",
		"|---|---:|---:|---:|---:|",
		row("1", run.one),
		row("3", run.three),
		"",
		`Throughput ratio, 3 instances / 1: **${run.ratio.toFixed(2)}** on ${run.machine.cpus} CPU(s) (${run.machine.cpuModel}).`,
		`Highest 1-minute load average during a measurement: ${highestLoad.toFixed(1)}.`,
		"",
		// Far more runnable processes than cores: the scheduler gives each its share, and three instances get three.
		highestLoad > 2 * run.machine.cpus
			? `The machine was saturated by other work (load average ${highestLoad.toFixed(0)} on ${run.machine.cpus} cores): the scheduler shares CPU time between runnable processes, so three instances received about three shares where one received one. The ratio measures those shares, not scaling, and the absolute figures say nothing of the app's speed.`
			: run.machine.cpus <= 2
				? "On this machine the instances, PgBouncer, PostgreSQL and the load generator share 2 cores. One instance (one Node.js thread) takes about one of them and the rest of the stack the other: three instances find no free core to run on, and divide the same CPU between them, with three processes' overhead. The ratio says what a fleet costs on 2 cores, not how it scales: throughput grows with instances only while each one has a core of its own (and PostgreSQL has room)."
				: "The instances, PgBouncer, PostgreSQL and the load generator share the machine's cores.",
	].join("\n");
}

if (process.argv[1] === self) {
	if (process.argv[2] === "--measure") {
		await writeFile(process.argv[4], JSON.stringify(await measure(JSON.parse(process.argv[3]))));
		process.exit(0);
	}
	const run = await runFleetBenchmark();
	const report = fleetMarkdown(run);
	process.stdout.write(`\n${report}\n`);
	await mkdir(join(benchDir, "results"), { recursive: true });
	const file = join(benchDir, "results", `fleet-${run.startedAt.replace(/[:.]/g, "-")}`);
	await writeFile(`${file}.json`, `${JSON.stringify(run, null, "\t")}\n`);
	await writeFile(`${file}.md`, `${report}\n`);
	log(`results written to ${file}.json and .md`);
	process.exit(0);
}
