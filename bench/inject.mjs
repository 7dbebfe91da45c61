// Micro-benchmark of the compiled executor alone for scenarios 1–2, no sockets: `app.inject`, and `app.handle` with a
// stub request and socket (the framework's and the app's own work per request, nothing of Node's HTTP), in ns of CPU
// time per request (process.cpuUsage: time other processes take from this one does not count).
// Run alone with `npm run bench:inject`; `npm run bench` runs it in a child process after the HTTP measurements.
import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import { runJsonChild } from "./lib/processes.mjs";
import { median } from "./lib/stats.mjs";

const self = fileURLToPath(import.meta.url);

const host = "127.0.0.1:3400";
const cases = [
	{
		id: "hello",
		title: "1. GET /hello",
		request: { method: "GET", url: "/hello", headers: { host } },
		raw: () => ({ method: "GET", url: "/hello", headers: { host }, socket: {}, complete: true }),
		status: 200,
	},
	{
		id: "users",
		title: "2. POST /users/{id}",
		request: { method: "POST", url: "/users/42", headers: { host }, body: { name: "Ecaflip", age: 12 } },
		raw: () => ({
			method: "POST",
			url: "/users/42",
			headers: { host, "content-type": "application/json", "content-length": "27" },
			socket: {},
			payload: Buffer.from('{"name":"Ecaflip","age":12}'),
			complete: true,
		}),
		status: 200,
	},
];

/** A socket that takes the answer and drops it. */
function stubSink() {
	const sink = { headersSent: false, shouldKeepAlive: true, statusCode: 0 };
	sink.writeHead = (status) => {
		sink.statusCode = status;
	};
	sink.end = () => undefined;
	return sink;
}

/** CPU nanoseconds per call of `run`, median of `batches` batches of `iterations`, after a warm-up batch. */
async function cpuPerCall(run, iterations, batches) {
	for (let index = 0; index < iterations; index++) await run();
	const samples = [];
	for (let batch = 0; batch < batches; batch++) {
		const started = process.cpuUsage();
		for (let index = 0; index < iterations; index++) {
			const pending = run();
			if (pending instanceof Promise) await pending;
		}
		const used = process.cpuUsage(started);
		samples.push(((used.user + used.system) * 1000) / iterations);
	}
	return samples;
}

async function measure({ iterations = 20_000, batches = 7 } = {}) {
	const { buildApp } = await import("../dist/app.js");
	const { startDatabase } = await import("../dist/db/index.js");
	const { createLogger } = await import("../dist/logger.js");
	const { parseSecretKey } = await import("../dist/secrets/keyring.js");
	const config = {
		APP_ENV: "PROD",
		LOG_LEVEL: "warn",
		BODY_LIMIT: 1_048_576,
		SHUTDOWN_TIMEOUT_MS: 1000,
		BENCH: true,
		// PROD refuses to sign download URLs with the public development key: a fresh one per run.
		SECRETS_KEY: parseSecretKey(`bench:${randomBytes(32).toString("base64")}`),
	};
	const database = await startDatabase({ PGLITE_DIR: "memory://", DATABASE_POOL_SIZE: 1, DATABASE_URL: undefined });
	const { jobKinds } = await import("../dist/jobs/kinds.js");
	const { createJobQueue } = await import("../dist/jobs/queue.js");
	const logger = createLogger(config);
	const jobs = createJobQueue({ handle: database, logger, kinds: jobKinds, role: "api" });
	await jobs.start();
	const app = buildApp({ config, logger, db: database.db, jobs });
	const results = {};
	try {
		for (const { id, request, raw, status } of cases) {
			const first = await app.inject(request);
			if (first.statusCode !== status)
				throw new Error(`${request.method} ${request.url} answered ${first.statusCode}: ${first.body}`);
			const sink = stubSink();
			await app.handle(raw(), sink);
			if (sink.statusCode !== status) throw new Error(`app.handle(${request.url}) answered ${sink.statusCode}`);
			const samples = await cpuPerCall(() => app.inject(request), iterations, batches);
			const handleSamples = await cpuPerCall(() => app.handle(raw(), sink), iterations * 5, batches);
			results[id] = {
				nsPerRequest: median(samples),
				handleNsPerRequest: median(handleSamples),
				samples,
				handleSamples,
				iterations,
				batches,
			};
		}
	} finally {
		await app.close();
		await jobs.stop();
		await database.close();
	}
	return results;
}

/** Runs the micro-benchmark in its own process (pinned to CPU 1 when possible) and returns its results. */
export function runInjectBenchmark({ pin }) {
	return runJsonChild([process.execPath, self, "--json"], { cpu: 1, pin, label: "inject benchmark" });
}

if (process.argv[1] === self) {
	const results = await measure();
	if (process.argv.includes("--json")) {
		process.stdout.write(JSON.stringify(results));
	} else {
		process.stdout.write(
			"| scenario | app.inject: CPU ns / request (median of batches) | app.handle, stub socket: CPU ns / request |\n|---|---:|---:|\n",
		);
		for (const { id, title } of cases) {
			const { nsPerRequest, handleNsPerRequest } = results[id];
			process.stdout.write(`| ${title} | ${Math.round(nsPerRequest)} | ${Math.round(handleNsPerRequest)} |\n`);
		}
	}
	process.exit(0);
}
