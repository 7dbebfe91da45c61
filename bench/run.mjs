// `npm run bench`: starts every contestant once, checks its answers, then measures each scenario in interleaved rounds.
import { existsSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { cpus, loadavg } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { contestants } from "./contestants.mjs";
import { fleetMarkdown, runFleetBenchmark } from "./fleet.mjs";
import { runInjectBenchmark } from "./inject.mjs";
import { chartSvg } from "./lib/chart.mjs";
import { runLoad } from "./lib/load.mjs";
import { parseOptions, usage } from "./lib/options.mjs";
import { cpuMicros, startServer, taskset } from "./lib/processes.mjs";
import { markdownReport } from "./lib/report.mjs";
import { realtimeMarkdown } from "./lib/sse-report.mjs";
import { median, spread, summarise } from "./lib/stats.mjs";
import { runWrk } from "./lib/wrk.mjs";
import { runRealtimeBenchmark } from "./realtime.mjs";
import { scenarios, send } from "./scenarios.mjs";
import { runTenancyBenchmark, tenancyMarkdown } from "./tenancy.mjs";

const benchDir = fileURLToPath(new URL(".", import.meta.url));
const options = parseOptions();
if (options.help) {
	process.stdout.write(`${usage()}\n`);
	process.exit(0);
}
if (!existsSync(join(benchDir, "..", "dist", "main.js")))
	throw new Error("dist/main.js is missing: run `npm run build` first (npm run bench does).");

const log = (line) => process.stderr.write(`${line}\n`);
/** One slice of load with the chosen generator (see --load). */
const measure = (spec) => (options.load === "wrk" ? runWrk(spec, options) : runLoad(spec, options));
const selected = scenarios.filter(
	(scenario) => options.scenarios.length === 0 || options.scenarios.includes(scenario.id),
);
const wanted = (name) =>
	options.contestants.length === 0 ||
	options.contestants.some((filter) => name === filter || name.startsWith(`${filter}-`));

// ---------------------------------------------------------------------------------------------------
// Servers: started on first use, kept for the whole run, stopped at the end.

const running = new Map();
const cleanups = [];
let nextPort = options.port;

async function serverFor(name) {
	if (!running.has(name)) {
		running.set(
			name,
			(async () => {
				const contestant = contestants[name];
				const state = {};
				if (contestant.prepare !== undefined) {
					log(`preparing ${name}…`);
					const cleanup = await contestant.prepare(state);
					if (typeof cleanup === "function") cleanups.push(cleanup);
				}
				const port = nextPort++;
				log(`starting ${name} on port ${port}…`);
				const server = await startServer({ name, port, pin: options.pin, ...contestant.server(options, state) });
				cleanups.push(server.stop);
				return server;
			})(),
		);
	}
	return running.get(name);
}

async function stopAll() {
	for (const cleanup of cleanups.reverse()) await cleanup().catch((error) => log(`cleanup failed: ${error.message}`));
}
process.once("SIGINT", () => void stopAll().then(() => process.exit(130)));

// ---------------------------------------------------------------------------------------------------
// One scenario: availability, setup and probes per contestant, warm-up, then interleaved rounds.

async function probe(scenario, url, context) {
	for (const { request, check } of scenario.probes(context)) {
		const problem = check(await send(url, request));
		if (problem !== undefined) return `${request.method ?? "GET"} ${request.path}: ${problem}`;
	}
	return undefined;
}

function loadSpec(url, request) {
	return {
		url: url + request.path,
		method: request.method,
		headers: request.headers,
		body: request.body,
		connections: options.connections,
	};
}

async function runScenario(scenario) {
	const result = {
		id: scenario.id,
		title: scenario.title,
		baselines: scenario.baselines,
		skipped: undefined,
		contestants: {},
	};
	if (scenario.routeExists !== undefined) {
		const app = await serverFor("dofus-manager");
		if (!(await scenario.routeExists(app.url))) {
			result.skipped = "route not available yet";
			log(`${scenario.title}: skipped: route not available yet`);
			return result;
		}
	}
	const ready = [];
	const urls = {};
	for (const name of scenario.contestants.filter(wanted)) {
		const availability = contestants[name].available();
		if (availability !== true) {
			result.contestants[name] = { skipped: availability };
			continue;
		}
		try {
			const server = await serverFor(name);
			urls[name] = server.url;
			const context = scenario.setup === undefined ? {} : await scenario.setup(server.url, name, urls);
			if (context.skip !== undefined) {
				result.contestants[name] = { skipped: context.skip };
				log(`${scenario.title} / ${name}: skipped: ${context.skip}`);
				continue;
			}
			const problem = await probe(scenario, server.url, context);
			if (problem !== undefined) {
				result.contestants[name] = { skipped: `wrong answer: ${problem}` };
				log(`${scenario.title} / ${name}: skipped: wrong answer: ${problem}`);
				continue;
			}
			ready.push({ name, pid: server.child.pid, spec: loadSpec(server.url, scenario.request(context)) });
		} catch (error) {
			result.contestants[name] = { skipped: `failed: ${error.message}` };
			log(`${scenario.title} / ${name}: failed: ${error.message}`);
		}
	}
	if (ready.length === 0) {
		result.skipped =
			scenario.routeExists === undefined ? "no contestant answered correctly" : "route not available yet";
		log(`${scenario.title}: skipped: ${result.skipped}`);
		return result;
	}

	for (const { name, spec } of ready) {
		log(`${scenario.title} / ${name}: warm-up ${options.warmup} s`);
		await measure({ ...spec, duration: options.warmup });
		result.contestants[name] = { samples: [] };
	}
	// Paired, short, rotating slices: every iteration runs each contestant once, iteration i starting with the i-th, so
	// each contestant takes each place in the order equally often; ratios are taken within an iteration (the same
	// machine state for all its slices), then summarised over the iterations.
	result.iterations = [];
	for (let iteration = 0; iteration < options.rounds; iteration++) {
		const order = ready.map((_entry, index) => ready[(index + iteration) % ready.length]);
		const loadBefore = loadavg()[0];
		for (const { name, pid, spec } of order) {
			const cpuBefore = cpuMicros(pid);
			const sample = await measure({ ...spec, duration: options.duration });
			// The server's own CPU time per answer: far steadier than req/s when other processes share the machine.
			sample.cpuMicrosPerRequest = (cpuMicros(pid) - cpuBefore) / Math.max(sample.total, 1);
			const unexpected = Object.entries(sample.statusCodes).filter(
				([code]) => Number(code) !== scenario.expectedStatus,
			);
			sample.unexpected =
				unexpected.reduce((sum, [, count]) => sum + count, 0) +
				(sample.outside2xx3xx ?? 0) +
				sample.errors +
				sample.timeouts;
			result.contestants[name].samples.push(sample);
			log(
				`${scenario.title} / ${name}: iteration ${iteration + 1}: ${Math.round(sample.requestsPerSecond)} req/s, p99 ${sample.latencyP99} ms${sample.unexpected > 0 ? `, ${sample.unexpected} unexpected answers` : ""}`,
			);
		}
		result.iterations.push({ order: order.map(({ name }) => name), loadAverage: [loadBefore, loadavg()[0]] });
	}
	for (const { name } of ready) {
		const entry = result.contestants[name];
		entry.requestsPerSecond = median(entry.samples.map((sample) => sample.requestsPerSecond));
		entry.latencyP50 = median(entry.samples.map((sample) => sample.latencyP50));
		entry.latencyP99 = median(entry.samples.map((sample) => sample.latencyP99));
		entry.spread = spread(entry.samples.map((sample) => sample.requestsPerSecond));
		entry.unexpected = entry.samples.reduce((sum, sample) => sum + sample.unexpected, 0);
		entry.cpuMicrosPerRequest = median(entry.samples.map((sample) => sample.cpuMicrosPerRequest));
		entry.ratios = {};
	}
	// Each contestant's requests per second over each baseline's, iteration by iteration, then median and spread.
	for (const baselineName of scenario.baselines) {
		const baseline = result.contestants[baselineName]?.samples;
		if (baseline === undefined) continue;
		for (const { name } of ready) {
			const samples = result.contestants[name].samples;
			result.contestants[name].ratios[baselineName] = summarise(
				samples.map((sample, iteration) => sample.requestsPerSecond / baseline[iteration].requestsPerSecond),
			);
			// The same question from CPU time: the baseline's CPU per answer over this contestant's (above 1: cheaper).
			result.contestants[name].cpuRatios ??= {};
			result.contestants[name].cpuRatios[baselineName] = summarise(
				samples.map((sample, iteration) => baseline[iteration].cpuMicrosPerRequest / sample.cpuMicrosPerRequest),
			);
		}
	}
	// This build against the one in BENCH_BASELINE_DIR, iteration by iteration: the figure that says whether a change cost speed.
	const current = result.contestants["dofus-manager"]?.samples;
	const before = result.contestants["dofus-manager-baseline"]?.samples;
	if (current !== undefined && before !== undefined) {
		result.buildRatio = summarise(
			current.map((sample, iteration) => sample.requestsPerSecond / before[iteration].requestsPerSecond),
		);
		result.buildCpuRatio = summarise(
			current.map((sample, iteration) => before[iteration].cpuMicrosPerRequest / sample.cpuMicrosPerRequest),
		);
	}
	return result;
}

// ---------------------------------------------------------------------------------------------------

const startedAt = new Date();
const startLoad = loadavg();
const results = [];
try {
	for (const scenario of selected) results.push(await runScenario(scenario));
} finally {
	await stopAll();
}

let inject;
if (
	options.inject &&
	(options.scenarios.length === 0 || options.scenarios.some((id) => id === "hello" || id === "users"))
) {
	log("inject micro-benchmark…");
	inject = await runInjectBenchmark({ pin: options.pin });
}

// Host resolution's cost and the tenant cache's hit rate, the per-user cache's savings: its own servers, after the others.
let tenancy;
if (options.tenancy && (options.scenarios.length === 0 || options.scenarios.includes("tenancy"))) {
	log("tenancy benchmark…");
	tenancy = await runTenancyBenchmark({ pin: options.pin, connections: options.connections });
}

// One API instance against three on one PostgreSQL through PgBouncer: its own PostgreSQL, PgBouncer and servers.
let fleet;
if (options.fleet && (options.scenarios.length === 0 || options.scenarios.includes("fleet"))) {
	log("fleet benchmark…");
	fleet = await runFleetBenchmark({
		connections: options.connections,
		rounds: options.rounds,
		seconds: options.duration,
	});
}

// Last: it pins this process to CPU 0 for its SSE clients (the servers get CPU 1), and starts its own servers.
let realtime;
if (options.realtime && (options.scenarios.length === 0 || options.scenarios.includes("realtime"))) {
	log("real-time benchmark…");
	realtime = await runRealtimeBenchmark({ pin: options.pin, port: options.port });
}

const run = {
	startedAt: startedAt.toISOString(),
	seconds: Math.round((Date.now() - startedAt.getTime()) / 1000),
	machine: {
		cpus: cpus().length,
		cpuModel: cpus()[0]?.model,
		node: process.version,
		pinned: options.pin && taskset !== undefined,
		// Other users of the machine: the 1, 5 and 15-minute load averages when the run started and ended.
		loadAverage: { start: startLoad, end: loadavg() },
	},
	options,
	scenarios: results,
	inject,
	tenancy,
	fleet,
	realtime,
};
// `--scenarios=realtime` runs no HTTP scenario: no empty table then.
const report = [
	results.length > 0 || (realtime === undefined && tenancy === undefined && fleet === undefined)
		? markdownReport(run)
		: undefined,
	tenancy === undefined ? undefined : tenancyMarkdown(tenancy),
	fleet === undefined ? undefined : fleetMarkdown(fleet),
	realtime === undefined ? undefined : realtimeMarkdown(realtime),
]
	.filter((part) => part !== undefined)
	.join("\n\n");
process.stdout.write(`\n${report}\n`);
await mkdir(join(benchDir, "results"), { recursive: true });
const file = join(benchDir, "results", `${startedAt.toISOString().replace(/[:.]/g, "-")}.json`);
await writeFile(file, `${JSON.stringify(run, null, "\t")}\n`);
log(`results written to ${file}`);
if (results.some((scenario) => Object.values(scenario.contestants).some((entry) => entry.ratios !== undefined))) {
	const chart = file.replace(/\.json$/, ".svg");
	await writeFile(chart, chartSvg(run));
	log(`chart written to ${chart}`);
}
