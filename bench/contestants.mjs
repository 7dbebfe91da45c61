// The contestant servers: how each one is started (port, environment, readiness path) and what it needs first.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const benchDir = fileURLToPath(new URL(".", import.meta.url));
export const profileDir = join(benchDir, "results", "profiles");

/** PROD refuses to start without a secrets key; the benchmark seals nothing, so a fresh one per run does. */
const secretsKey = `bench:${randomBytes(32).toString("base64")}`;

/**
 * Another build of the app to compare with in the same run (paired rounds): a checkout whose `dist/` is built,
 * e.g. `git worktree add /tmp/before <commit> && (cd /tmp/before && npm ci && npm run build)`, then
 * `BENCH_BASELINE_DIR=/tmp/before npm run bench -- --scenarios=hello,users`.
 */
const baselineDir = process.env.BENCH_BASELINE_DIR || undefined;

/** The app as deployed: compiled JS, PROD, logging at warn, benchmark routes on. */
function appServer(database, options, cwd = root) {
	const args = options.profile ? ["--cpu-prof", `--cpu-prof-dir=${profileDir}`, "dist/main.js"] : ["dist/main.js"];
	return {
		command: process.execPath,
		args,
		cwd,
		env: {
			APP_ENV: "PROD",
			BENCH: "1",
			LOG_LEVEL: "warn",
			DATABASE_URL: "",
			PGLITE_DIR: "memory://",
			SECRETS_KEY: secretsKey,
			// Scenario 3 compares the app with postgres-raw issuing the same queries: its first page is not served from the
			// per-user cache (bench/tenancy.mjs measures what that cache saves).
			USER_CACHE_TTL_MS: "0",
			...database,
		},
		readyPath: "/hello",
	};
}

function runSeed(env) {
	return new Promise((resolve, reject) => {
		const child = spawn(process.execPath, [join(benchDir, "lib", "seed-characters.mjs")], {
			cwd: root,
			env: { ...process.env, ...env },
			stdio: "inherit",
		});
		child.once("error", reject);
		child.once("exit", (code) => (code === 0 ? resolve() : reject(new Error(`seeding exited with code ${code}`))));
	});
}

let postgresSeeded;
const seedPostgres = () => (postgresSeeded ??= runSeed({ DATABASE_URL: process.env.DATABASE_URL, PGLITE_DIR: "" }));

/**
 * Each contestant: `available` (false with a reason when it cannot run here), optional `prepare` (seeding; returns a
 * cleanup), and `server(options)` giving the command to start.
 */
export const contestants = {
	"dofus-manager": {
		available: () => true,
		server: (options) => appServer({}, options),
	},
	"dofus-manager-baseline": {
		available: () =>
			baselineDir === undefined
				? "BENCH_BASELINE_DIR is not set"
				: existsSync(join(baselineDir, "dist", "main.js")) || `${baselineDir}/dist/main.js is missing: build it first`,
		server: (options) => appServer({}, options, baselineDir),
	},
	"node-http-minimal": {
		available: () => true,
		server: () => ({
			command: process.execPath,
			args: [join(benchDir, "contestants", "node-http-minimal.mjs")],
			cwd: benchDir,
			env: {},
			readyPath: "/hello",
		}),
	},
	"node-http-same-bytes": {
		available: () => true,
		server: () => ({
			command: process.execPath,
			args: [join(benchDir, "contestants", "node-http.mjs")],
			cwd: benchDir,
			env: {},
			readyPath: "/hello",
		}),
	},
	fastify: {
		available: () => true,
		server: () => ({
			command: process.execPath,
			args: [join(benchDir, "contestants", "fastify.mjs")],
			cwd: benchDir,
			env: {},
			readyPath: "/hello",
		}),
	},
	"dofus-manager-pglite-10k": {
		available: () => true,
		prepare: async (state) => {
			state.pgliteDir = await mkdtemp(join(tmpdir(), "dofus-manager-bench-"));
			await runSeed({ PGLITE_DIR: join(state.pgliteDir, "pglite"), DATABASE_URL: "" });
			return () => rm(state.pgliteDir, { recursive: true, force: true });
		},
		server: (options, state) => appServer({ PGLITE_DIR: join(state.pgliteDir, "pglite") }, options),
	},
	"dofus-manager-postgres-10k": {
		available: () => (process.env.DATABASE_URL ? true : "DATABASE_URL is not set"),
		prepare: () => seedPostgres(),
		server: (options) => appServer({ DATABASE_URL: process.env.DATABASE_URL, PGLITE_DIR: "" }, options),
	},
	"postgres-raw": {
		available: () => (process.env.DATABASE_URL ? true : "DATABASE_URL is not set"),
		prepare: () => seedPostgres(),
		server: () => ({
			command: process.execPath,
			args: [join(benchDir, "contestants", "postgres-raw.mjs")],
			cwd: root,
			env: { DATABASE_URL: process.env.DATABASE_URL },
			readyPath: "/",
		}),
	},
};
