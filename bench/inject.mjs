// Micro-benchmark of the compiled executor alone: `app.inject` for scenarios 1–2, in ns per request, no sockets.
// Run alone with `npm run bench:inject`; `npm run bench` runs it in a child process after the HTTP measurements.
import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import { runJsonChild } from "./lib/processes.mjs";
import { median } from "./lib/stats.mjs";

const self = fileURLToPath(import.meta.url);

const cases = [
	{ id: "hello", title: "1. GET /hello", request: { method: "GET", url: "/hello" }, status: 200 },
	{
		id: "users",
		title: "2. POST /users/{id}",
		request: { method: "POST", url: "/users/42", body: { name: "Ecaflip", age: 12 } },
		status: 200,
	},
];

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
		for (const { id, request, status } of cases) {
			const first = await app.inject(request);
			if (first.statusCode !== status)
				throw new Error(`${request.method} ${request.url} answered ${first.statusCode}: ${first.body}`);
			for (let index = 0; index < iterations; index++) await app.inject(request); // warm-up: let the JIT settle
			const samples = [];
			for (let batch = 0; batch < batches; batch++) {
				const started = process.hrtime.bigint();
				for (let index = 0; index < iterations; index++) await app.inject(request);
				samples.push(Number(process.hrtime.bigint() - started) / iterations);
			}
			results[id] = { nsPerRequest: median(samples), samples, iterations, batches };
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
			"| scenario | ns / request (median of batches) | requests / s on one core |\n|---|---:|---:|\n",
		);
		for (const { id, title } of cases) {
			const ns = results[id].nsPerRequest;
			process.stdout.write(`| ${title} | ${Math.round(ns)} | ${Math.round(1e9 / ns)} |\n`);
		}
	}
	process.exit(0);
}
