// `npm run bench:realtime` (and a phase of `npm run bench`): 1,000 SSE clients on `node dist/main.js`, events published
// at steady rates; delivery latency p50/p99 per rate and the highest rate held without drops, on one instance (PGlite,
// PostgreSQL) and on two instances sharing one PostgreSQL.
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { startServer, taskset } from "./lib/processes.mjs";
import { prepareDatabase } from "./lib/sse-audience.mjs";
import { SseFleet } from "./lib/sse-clients.mjs";
import { apiPublisher, logPublisher, publishSteadily } from "./lib/sse-publishers.mjs";
import { realtimeMarkdown, writeRealtimeResults } from "./lib/sse-report.mjs";
import { median } from "./lib/stats.mjs";

const benchDir = fileURLToPath(new URL(".", import.meta.url));
const root = join(benchDir, "..");
const log = (line) => process.stderr.write(`${line}\n`);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The scenarios. On PGlite the database lives inside the server process, so nothing outside it can write the event log:
 * events come from a real route there (a guild rename). On PostgreSQL the bench publishes into the log itself, as a
 * service does in its transaction, and every instance's hub hears of it by NOTIFY; `postgres-api` is the PGlite path
 * on PostgreSQL, to tell the route's cost from the engine's.
 */
export const realtimeScenarios = {
	pglite: { title: "1 instance, PGlite", engine: "pglite", instances: 1, publisher: "api" },
	postgres: { title: "1 instance, PostgreSQL", engine: "postgres", instances: 1, publisher: "log" },
	"postgres-2": { title: "2 instances, one PostgreSQL", engine: "postgres", instances: 2, publisher: "log" },
	"postgres-api": { title: "1 instance, PostgreSQL, via the API", engine: "postgres", instances: 1, publisher: "api" },
};

export const realtimeDefaults = {
	scenarios: ["pglite", "postgres", "postgres-2"],
	clients: 1000,
	rates: [10, 50, 100, 200, 300, 400, 600, 800],
	rounds: 3,
	seconds: 2,
	p99LimitMs: 1000,
	/** Other processes taking more than this percent of the servers' or the clients' core: the machine was busy. */
	othersCpuLimit: 25,
	/** How many steps lost on a busy machine a round runs again. */
	busyRepeats: 2,
	/** A second, interactive bound: the highest rate held with p99 within it is reported too. */
	briskP99Ms: 100,
	pin: true,
	port: 3500,
	/** An existing database of the PostgreSQL cluster to connect to while creating (and dropping) the benchmark's own. */
	postgresUrl:
		process.env.BENCH_POSTGRES_URL || process.env.DATABASE_URL || "postgres://postgres@127.0.0.1:5432/postgres",
	distDir: process.env.BENCH_DIST_DIR || join(root, "dist"),
};

// ---------------------------------------------------------------------------------------------------
// Process figures from /proc (Linux): CPU time and resident memory of the servers.

const clockTicks = (() => {
	try {
		return Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
	} catch {
		return 100;
	}
})();

function processFigures(pid) {
	try {
		const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
		const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
		const cpuMs = ((Number(fields[11]) + Number(fields[12])) / clockTicks) * 1000;
		const rssKb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1]);
		return { cpuMs, rssMb: rssKb / 1024 };
	} catch {
		return { cpuMs: Number.NaN, rssMb: Number.NaN };
	}
}

/**
 * Time each CPU spent running processes so far, in ms, and stolen time (on a VM, someone else's too). Interrupts are
 * left out: most of them here are the loopback traffic of the benchmark itself, which no process is charged for.
 */
function cpuBusyMs() {
	const busy = [];
	for (const line of readFileSync("/proc/stat", "utf8").split("\n")) {
		const match = /^cpu(\d+) (.*)$/.exec(line);
		if (match === null) continue;
		const [user, nice, system, _idle, _iowait, _irq, _softirq, steal] = match[2].split(" ").map(Number);
		busy[Number(match[1])] = ((user + nice + system + steal) / clockTicks) * 1000;
	}
	return busy;
}

// ---------------------------------------------------------------------------------------------------
// One scenario: database, servers, clients, then rounds; each round climbs the rates until one is not held.

function summary(values) {
	const finite = values.filter((value) => Number.isFinite(value));
	if (finite.length === 0) return { median: Number.NaN, min: Number.NaN, max: Number.NaN };
	return { median: median(finite), min: Math.min(...finite), max: Math.max(...finite) };
}

async function runScenario(id, settings, nextPort) {
	const scenario = realtimeScenarios[id];
	const result = {
		id,
		title: scenario.title,
		engine: scenario.engine,
		instances: scenario.instances,
		clients: settings.clients,
	};
	const cleanups = [];
	const fleet = new SseFleet({ sentAt: new Float64Array(1 << 22) });
	let seq = 1;
	try {
		log(`${scenario.title}: preparing the database (${settings.clients} users, one session each, one guild)…`);
		const database = await prepareDatabase(scenario, settings);
		cleanups.push(database.remove);
		const secretsKey = `bench:${randomBytes(32).toString("base64")}`;
		const servers = [];
		for (let index = 0; index < scenario.instances; index++) {
			const port = nextPort();
			const server = await startServer({
				name: `realtime-${id}-${index + 1}`,
				command: process.execPath,
				args: [join(settings.distDir, "main.js")],
				cwd: root,
				env: {
					APP_ENV: "PROD",
					LOG_LEVEL: process.env.BENCH_SERVER_LOG_LEVEL ?? "warn",
					SECRETS_KEY: secretsKey,
					BENCH: "0",
					// Scheduled jobs would run at their hour whatever the benchmark does: off, so that only events cost.
					DOFUSDB_SYNC_CRON: "off",
					CLEANUP_CRON: "off",
					...database.env,
				},
				port,
				readyPath: "/health",
				pin: settings.pinned,
			});
			cleanups.push(server.stop);
			servers.push({ ...server, port, pid: server.child.pid });
		}

		// One connection per user (the default per-user cap of 10 untouched): the session check, the room resolution and
		// the fan-out index then see 1,000 users, as they would in production. Clients alternate between instances.
		log(`${scenario.title}: opening ${settings.clients} SSE streams…`);
		const { tokens, guild } = database.audience;
		for (let index = 0; index < tokens.length; index += 50) {
			await Promise.all(
				tokens.slice(index, index + 50).map((token, offset) => {
					const server = servers[(index + offset) % servers.length];
					return fleet.open({ port: server.port, token, label: `client ${index + offset + 1}` });
				}),
			);
		}
		// The hub's session check may close a stream that opened while the check was in flight (it asks about the streams
		// open before its query and closes those open after it that were not asked about): reopen until all stay open.
		result.reopenedAfterOpening = 0;
		for (let attempt = 1; attempt <= 10; attempt++) {
			await sleep(1_200);
			const reopened = await fleet.reopenClosed();
			if (reopened === 0) break;
			result.reopenedAfterOpening += reopened;
		}
		result.idleRssMb = servers.map((server) => processFigures(server.pid).rssMb);
		if (result.reopenedAfterOpening > 0)
			log(
				`${scenario.title}: ${result.reopenedAfterOpening} streams were closed just after opening (session-ended); reopened`,
			);
		const publisher =
			scenario.publisher === "api"
				? apiPublisher({ port: servers[0].port, token: tokens[0], guildId: guild.id })
				: logPublisher({
						publishEvent: (await import(join(settings.distDir, "realtime/publish.js"))).publishEvent,
						db: database.handle.db,
						guild: { ...guild, createdAt: guild.createdAt.toISOString(), updatedAt: guild.updatedAt.toISOString() },
					});
		cleanups.push(publisher.close);
		result.publisher = publisher.description;

		async function step(rate) {
			const count = Math.max(1, Math.round(rate * settings.seconds));
			const first = seq;
			seq += count;
			if (seq >= fleet.sentAt.length) throw new Error("more events than the send-time table holds");
			fleet.beginWindow(first, first + count - 1);
			const before = servers.map((server) => processFigures(server.pid));
			const busyBefore = cpuBusyMs();
			const clientBefore = process.cpuUsage();
			const startedAt = performance.now();
			const published = await publishSteadily({
				publisher,
				rate,
				seconds: settings.seconds,
				firstSeq: first,
				sentAt: fleet.sentAt,
			});
			// A delivery later than twice the p99 limit after the last send is as good as lost for this figure.
			await fleet.waitComplete(published.ok, published.lastDue + 2 * settings.p99LimitMs);
			const elapsedMs = performance.now() - startedAt;
			const after = servers.map((server) => processFigures(server.pid));
			const busyAfter = cpuBusyMs();
			const clientCpu = process.cpuUsage(clientBefore);
			const serverCpuMs = after.reduce((sum, one, index) => sum + one.cpuMs - before[index].cpuMs, 0);
			const clientCpuMs = (clientCpu.user + clientCpu.system) / 1000;
			const missing = fleet.missing(published.ok);
			const sample = {
				rate,
				published: published.ok,
				publishFailures: published.failed,
				publishError: published.firstError,
				publishedPerSecond: published.publishedPerSecond,
				publisherLagMaxMs: published.lagMaxMs,
				deliveries: fleet.histogram.count,
				deliveriesPerSecond: fleet.histogram.count / settings.seconds,
				missing,
				clientsShort: fleet.short(published.ok),
				extra: fleet.extra(published.ok),
				lateFromEarlierSteps: fleet.late,
				closed: fleet.closedInWindow,
				p50Ms: fleet.histogram.quantile(0.5),
				p99Ms: fleet.histogram.quantile(0.99),
				maxMs: fleet.histogram.max,
				// Percent of one core over the step, all instances together; the clients' share of theirs (CPU 0).
				serverCpu: (serverCpuMs / elapsedMs) * 100,
				serverRssMb: Math.max(...after.map((one) => one.rssMb)),
				clientCpu: (clientCpuMs / elapsedMs) * 100,
				// What other processes (PostgreSQL among them, and whatever else runs on this shared machine) took of the
				// servers' core and of the clients' core, in percent; known only when both sides are pinned.
				othersCpu: settings.pinned
					? {
							// Clock ticks are coarser than the process counters: an idle core may come out a little below zero.
							servers: Math.max(0, ((busyAfter[1] - busyBefore[1] - serverCpuMs) / elapsedMs) * 100),
							clients: Math.max(0, ((busyAfter[0] - busyBefore[0] - clientCpuMs) / elapsedMs) * 100),
						}
					: undefined,
				loadAverage: loadavg()[0],
			};
			sample.busyMachine =
				sample.othersCpu !== undefined &&
				Math.max(sample.othersCpu.servers, sample.othersCpu.clients) > settings.othersCpuLimit;
			const reasons = [];
			if (published.failed > 0) reasons.push(`${published.failed} publishes failed (${published.firstError})`);
			if (published.lagMaxMs > settings.p99LimitMs)
				reasons.push(`the publisher fell ${published.lagMaxMs.toFixed(0)} ms behind its schedule`);
			if (missing > 0) reasons.push(`${missing} deliveries missing (${sample.clientsShort} clients short)`);
			if (sample.closed > 0) reasons.push(`${sample.closed} streams closed`);
			if (!(sample.p99Ms <= settings.p99LimitMs)) reasons.push(`p99 ${sample.p99Ms.toFixed(0)} ms`);
			sample.held = reasons.length === 0;
			// Not a reason by itself, but it says what the figure measured: the load generator may have been the limit.
			if (!sample.held && sample.clientCpu > 90) reasons.push(`clients' CPU ${sample.clientCpu.toFixed(0)} %`);
			if (!sample.held && sample.busyMachine)
				reasons.push(
					`other processes took ${sample.othersCpu.servers.toFixed(0)} % of the servers' core, ${sample.othersCpu.clients.toFixed(0)} % of the clients'`,
				);
			sample.notHeldBecause = reasons.join("; ") || undefined;
			return sample;
		}

		/** After a step that was not held: the backlog delivered (or given up), closed streams opened again. */
		async function recover() {
			await fleet.waitQuiet(500, 20_000);
			const reopened = await fleet.reopenClosed();
			if (reopened > 0) log(`${scenario.title}: reopened ${reopened} streams`);
		}

		log(`${scenario.title}: warm-up`);
		for (const rate of settings.rates.slice(0, 2)) {
			const sample = await step(rate);
			if (sample.held) continue;
			log(`${scenario.title}: warm-up at ${rate} events/s not held: ${sample.notHeldBecause}`);
			await recover();
		}

		const samples = [];
		const heldPerRound = [];
		const briskPerRound = [];
		for (let round = 1; round <= settings.rounds; round++) {
			let held = 0;
			// The highest rate up to which every step was also brisk (p99 within the interactive bound).
			let brisk = 0;
			let briskSoFar = true;
			let repeats = 0;
			for (let index = 0; index < settings.rates.length; index++) {
				const rate = settings.rates[index];
				const sample = await step(rate);
				// A step lost while other processes took the cores measured the machine, not the app: it runs again (twice at
				// most per round); the lost one stays in the samples, marked, out of the figures.
				const repeat = !sample.held && sample.busyMachine && repeats < settings.busyRepeats;
				samples.push({ round, ...sample, repeated: repeat });
				log(
					`${scenario.title}: round ${round}, ${rate} events/s: ${sample.held ? "held" : `not held (${sample.notHeldBecause})`}, ` +
						`p50 ${sample.p50Ms.toFixed(1)} ms, p99 ${sample.p99Ms.toFixed(1)} ms, ${Math.round(sample.deliveriesPerSecond)} deliveries/s, ` +
						`server CPU ${sample.serverCpu.toFixed(0)} %, RSS ${sample.serverRssMb.toFixed(0)} MB, clients' CPU ${sample.clientCpu.toFixed(0)} %`,
				);
				if (repeat) {
					repeats++;
					log(`${scenario.title}: the machine was busy: ${rate} events/s again`);
					await recover();
					index--;
					continue;
				}
				if (!sample.held) {
					await recover();
					break;
				}
				held = rate;
				briskSoFar &&= sample.p99Ms <= settings.briskP99Ms;
				if (briskSoFar) brisk = rate;
				await sleep(200);
			}
			heldPerRound.push(held);
			briskPerRound.push(brisk);
		}
		result.heldRate = { ...summary(heldPerRound), perRound: heldPerRound };
		result.briskRate = { ...summary(briskPerRound), perRound: briskPerRound };
		result.rates = settings.rates
			.map((rate) => {
				const at = samples.filter((sample) => sample.rate === rate && !sample.repeated);
				if (at.length === 0) return undefined;
				return {
					rate,
					steps: at.length,
					held: at.filter((sample) => sample.held).length,
					publishedPerSecond: summary(at.map((sample) => sample.publishedPerSecond)),
					deliveriesPerSecond: summary(at.map((sample) => sample.deliveriesPerSecond)),
					p50Ms: summary(at.map((sample) => sample.p50Ms)),
					p99Ms: summary(at.map((sample) => sample.p99Ms)),
					serverCpu: summary(at.map((sample) => sample.serverCpu)),
					serverRssMb: Math.max(...at.map((sample) => sample.serverRssMb)),
					clientCpu: summary(at.map((sample) => sample.clientCpu)),
					missing: at.reduce((sum, sample) => sum + sample.missing, 0),
					closed: at.reduce((sum, sample) => sum + sample.closed, 0),
					repeatedBusy: samples.filter((sample) => sample.rate === rate && sample.repeated).length,
					othersCpu:
						at[0].othersCpu === undefined
							? undefined
							: {
									servers: summary(at.map((sample) => sample.othersCpu.servers)),
									clients: summary(at.map((sample) => sample.othersCpu.clients)),
								},
					notHeldBecause: at.map((sample) => sample.notHeldBecause).filter((reason) => reason !== undefined),
				};
			})
			.filter((entry) => entry !== undefined);
		result.samples = samples;
	} catch (error) {
		result.skipped = error.message.split("\n")[0];
		log(`${scenario.title}: skipped: ${error.message}`);
	} finally {
		fleet.closeAll();
		for (const cleanup of cleanups.reverse())
			await cleanup().catch((error) => log(`${scenario.title}: cleanup failed: ${error.message}`));
	}
	return result;
}

// ---------------------------------------------------------------------------------------------------

/** Pins this process (the clients and the publisher) to CPU 0; the servers go on CPU 1 (startServer). */
function pinSelf(pin) {
	if (!pin || taskset === undefined || cpus().length < 2) return false;
	execFileSync(taskset, ["-a", "-p", "-c", "0", String(process.pid)], { stdio: "ignore" });
	return true;
}

export async function runRealtimeBenchmark(overrides = {}) {
	const settings = { ...realtimeDefaults, ...overrides };
	if (!existsSync(join(settings.distDir, "main.js")))
		throw new Error(
			`${settings.distDir}/main.js is missing: run \`npm run build\` first (npm run bench:realtime does).`,
		);
	for (const id of settings.scenarios)
		if (realtimeScenarios[id] === undefined)
			throw new Error(`unknown real-time scenario ${id} (known: ${Object.keys(realtimeScenarios).join(", ")})`);
	const startedAt = new Date();
	const loadAtStart = loadavg()[0];
	const pinned = pinSelf(settings.pin);
	let port = settings.port;
	const scenarios = [];
	for (const id of settings.scenarios) scenarios.push(await runScenario(id, { ...settings, pinned }, () => port++));
	const { postgresUrl, distDir, ...shown } = settings;
	return {
		benchmark: "realtime",
		startedAt: startedAt.toISOString(),
		seconds: Math.round((Date.now() - startedAt.getTime()) / 1000),
		machine: {
			cpus: cpus().length,
			cpuModel: cpus()[0]?.model,
			node: process.version,
			pinned,
			// The machine is shared: a load well above its CPU count means the figures are low.
			loadAverage: { start: loadAtStart, end: loadavg()[0] },
		},
		settings: { ...shown, dist: distDir },
		scenarios,
	};
}

// ---------------------------------------------------------------------------------------------------
// Command line.

const usage = `npm run bench:realtime -- [options]
  --scenarios a,b   of ${Object.keys(realtimeScenarios).join(", ")} (default ${realtimeDefaults.scenarios.join(",")})
  --clients N       SSE clients, one user each (default ${realtimeDefaults.clients})
  --rates a,b,…     events/s, climbed in order each round until one is not held (default ${realtimeDefaults.rates.join(",")})
  --rounds N        rounds (default ${realtimeDefaults.rounds})
  --seconds N       seconds of publishing per step (default ${realtimeDefaults.seconds})
  --p99-limit N     a step is held only if its delivery p99 is at most N ms (default ${realtimeDefaults.p99LimitMs})
  --brisk-p99 N     also reported: the highest rate held with p99 at most N ms at every step (default ${realtimeDefaults.briskP99Ms})
  --port N          first server port (default ${realtimeDefaults.port})
  --pin=false       do not pin servers to CPU 1 and the clients to CPU 0
  BENCH_SERVER_LOG_LEVEL: the servers' LOG_LEVEL (default warn; info logs every stream opened and closed, with why)
  BENCH_POSTGRES_URL (or DATABASE_URL): the PostgreSQL cluster to create bench_realtime_<pid> on
  (default postgres://postgres@127.0.0.1:5432/postgres); BENCH_DIST_DIR: another build's dist/ to measure.
`;

function positive(name, raw) {
	const value = Number(raw);
	if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name}: expected a positive number, got "${raw}"`);
	return value;
}

if (import.meta.main) {
	const { values } = parseArgs({
		options: {
			scenarios: { type: "string" },
			clients: { type: "string" },
			rates: { type: "string" },
			rounds: { type: "string" },
			seconds: { type: "string" },
			"p99-limit": { type: "string" },
			"brisk-p99": { type: "string" },
			port: { type: "string" },
			pin: { type: "string" },
			help: { type: "boolean", default: false },
		},
	});
	if (values.help) {
		process.stdout.write(usage);
		process.exit(0);
	}
	const list = (raw) =>
		raw
			.split(",")
			.map((item) => item.trim())
			.filter((item) => item !== "");
	const overrides = {};
	if (values.scenarios !== undefined) overrides.scenarios = list(values.scenarios);
	if (values.clients !== undefined) overrides.clients = Math.round(positive("clients", values.clients));
	if (values.rates !== undefined) overrides.rates = list(values.rates).map((rate) => positive("rates", rate));
	if (values.rounds !== undefined) overrides.rounds = Math.round(positive("rounds", values.rounds));
	if (values.seconds !== undefined) overrides.seconds = positive("seconds", values.seconds);
	if (values["p99-limit"] !== undefined) overrides.p99LimitMs = positive("p99-limit", values["p99-limit"]);
	if (values["brisk-p99"] !== undefined) overrides.briskP99Ms = positive("brisk-p99", values["brisk-p99"]);
	if (values.port !== undefined) overrides.port = Math.round(positive("port", values.port));
	if (values.pin !== undefined) overrides.pin = !["0", "false", "no"].includes(values.pin);
	const run = await runRealtimeBenchmark(overrides);
	const markdown = realtimeMarkdown(run);
	process.stdout.write(`\n${markdown}\n`);
	log(`results written to ${await writeRealtimeResults(run, markdown)}`);
	// Pools and agents of finished scenarios may keep timers: the run is over.
	process.exit(0);
}
