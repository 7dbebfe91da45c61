// Runs the compiled server (`node dist/main.js`) as a child process for multi-process tests: build once, start, wait for its port.

import { type ChildProcessByStdio, execFileSync, spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { Readable } from "node:stream";
import { isProcessAlive } from "../../src/db/directory-lock.js";

let built = false;

/** What the build reads: a change to any of these (a file's or a folder's mtime) calls for a new build. */
const buildInputs = ["src", "tsconfig.json", "tsconfig.build.json", "package.json"];
/** Written into dist/ by a build: the newest input mtime it saw before it started. */
const buildStamp = "dist/.build-stamp";

function newestInputMtime(): number {
	let newest = 0;
	const visit = (path: string) => {
		const stats = statSync(path);
		newest = Math.max(newest, stats.mtimeMs);
		if (stats.isDirectory()) for (const entry of readdirSync(path)) visit(join(path, entry));
	};
	for (const input of buildInputs) visit(input);
	return newest;
}

/** The pid in the lock; 0 while its owner has not written it yet, or when the lock went away meanwhile. */
function lockOwner(lock: string): number {
	try {
		return Number(readFileSync(join(lock, "pid"), "utf8")) || 0;
	} catch {
		return 0;
	}
}

/** Runs `task` holding a lock shared by every test process of this checkout (a directory holding the owner's pid). */
function withBuildLock(task: () => void): void {
	const lock = join(
		tmpdir(),
		`dofus-manager-build-${createHash("sha256").update(resolve(".")).digest("hex").slice(0, 12)}`,
	);
	const waitUntil = Date.now() + 5 * 60_000;
	for (;;) {
		try {
			mkdirSync(lock);
			writeFileSync(join(lock, "pid"), String(process.pid));
			break;
		} catch (error) {
			if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
			const owner = lockOwner(lock);
			// A lock whose owner died is taken over; one whose owner lives (or has not written its pid yet) is waited for.
			if (owner > 0 && !isProcessAlive(owner)) rmSync(lock, { recursive: true, force: true });
			else if (Date.now() > waitUntil) throw new Error(`another test process has held ${lock} for 5 minutes`);
			else Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);
		}
	}
	try {
		task();
	} finally {
		rmSync(lock, { recursive: true, force: true });
	}
}

/**
 * `npm run build` once per test file (the build is what production runs). Test files run in parallel: one builds at a
 * time, and a file finding dist/ built from the current sources skips the build, so that no file rewrites dist/ while
 * another one's processes load it.
 */
export function buildDist(): void {
	if (built) return;
	withBuildLock(() => {
		const inputs = newestInputMtime();
		const stamp = existsSync(buildStamp) ? Number(readFileSync(buildStamp, "utf8")) : Number.NaN;
		if (stamp >= inputs && existsSync("dist/main.js") && existsSync("dist/worker.js")) return;
		execFileSync("npm", ["run", "build"], { stdio: "pipe" });
		writeFileSync(buildStamp, String(inputs));
	});
	if (!existsSync("dist/main.js")) throw new Error("npm run build did not produce dist/main.js");
	built = true;
}

export interface ServerProcess {
	child: ChildProcessByStdio<null, Readable, Readable>;
	/** Resolves with the port once the "listening" line is logged; rejects if the process exits first. */
	listening: Promise<number>;
	/** Resolves with the exit code (null when killed by a signal). */
	exited: Promise<number | null>;
	/** Everything written to stdout and stderr so far. */
	output(): string;
}

/** Starts `node dist/main.js` on port 0 (main logs the bound port) with the given environment on top of ours. */
/** One key for every start of a test, so a restarted server reads what the first one sealed. */
const serverSecretsKey = `server-test:${randomBytes(32).toString("base64")}`;

export function startServerProcess(env: Record<string, string>): ServerProcess {
	const child = spawn(process.execPath, ["dist/main.js"], {
		// PROD refuses to start without a secrets key (TOTP secrets are sealed with it).
		env: {
			...process.env,
			APP_ENV: "PROD",
			PORT: "0",
			LOG_LEVEL: "info",
			DATABASE_URL: "",
			SECRETS_KEY: serverSecretsKey,
			...env,
		},
		stdio: ["ignore", "pipe", "pipe"],
	});
	let output = "";
	child.stdout.setEncoding("utf8");
	child.stderr.setEncoding("utf8");
	child.stderr.on("data", (chunk: string) => (output += chunk));
	const listening = new Promise<number>((resolve, reject) => {
		child.stdout.on("data", (chunk: string) => {
			output += chunk;
			const match = /"port":(\d+),.*"msg":"Dofus Manager listening/.exec(output);
			if (match) resolve(Number(match[1]));
		});
		child.once("exit", (code) => reject(new Error(`the server exited with ${code} before listening:\n${output}`)));
	});
	// The test awaits `listening`; this keeps an early exit from being reported as an unhandled rejection too.
	listening.catch(() => undefined);
	const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
	return { child, listening, exited, output: () => output };
}
