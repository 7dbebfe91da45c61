// Runs the compiled server (`node dist/main.js`) as a child process for multi-process tests: build once, start, wait for its port.

import { type ChildProcessByStdio, execFileSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import type { Readable } from "node:stream";

let built = false;

/** `npm run build` once per test file (the build is what production runs). */
export function buildDist(): void {
	if (built) return;
	execFileSync("npm", ["run", "build"], { stdio: "pipe" });
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
