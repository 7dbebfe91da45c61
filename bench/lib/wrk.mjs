// Runs one load measurement with wrk (one thread, pinned to CPU 0 when possible) and returns the same summary as the
// autocannon worker: requests per second, latency percentiles in ms, errors, and answers outside 2xx/3xx.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pinned } from "./processes.mjs";

export const wrkPath = ["/usr/bin/wrk", "/usr/local/bin/wrk"].find((path) => existsSync(path));

const marker = "BENCH-SUMMARY ";

/** The Lua script: the request (method, headers, body) and a `done` that prints the summary as one JSON line. */
function script({ method = "GET", headers = {}, body }) {
	const lines = [`wrk.method = ${JSON.stringify(method)}`];
	for (const [name, value] of Object.entries(headers))
		lines.push(`wrk.headers[${JSON.stringify(name)}] = ${JSON.stringify(value)}`);
	if (body !== undefined) lines.push(`wrk.body = ${JSON.stringify(body)}`);
	lines.push(
		"done = function(summary, latency, requests)",
		"  local e = summary.errors",
		`  io.write(string.format('${marker}{"requests":%d,"micros":%d,"status":%d,"connect":%d,"read":%d,"write":%d,"timeout":%d,"p50":%.1f,"p99":%.1f,"mean":%.1f}\\n',`,
		"    summary.requests, summary.duration, e.status, e.connect, e.read, e.write, e.timeout,",
		"    latency:percentile(50), latency:percentile(99), latency.mean))",
		"end",
	);
	return `${lines.join("\n")}\n`;
}

/**
 * @param {{ url: string, method?: string, headers?: Record<string, string>, body?: string, connections: number, duration: number }} spec
 * @param {{ pin: boolean }} options
 */
export async function runWrk(spec, { pin }) {
	if (wrkPath === undefined) throw new Error("wrk is not installed (apt-get install wrk), or use --load=autocannon");
	const directory = await mkdtemp(join(tmpdir(), "bench-wrk-"));
	const scriptFile = join(directory, "request.lua");
	await writeFile(scriptFile, script(spec));
	const command = pinned(
		[wrkPath, "-t1", `-c${spec.connections}`, `-d${spec.duration}s`, "--timeout", "10s", "-s", scriptFile, spec.url],
		0,
		pin,
	);
	try {
		const output = await new Promise((resolve, reject) => {
			const child = spawn(command[0], command.slice(1), { stdio: ["ignore", "pipe", "inherit"] });
			let text = "";
			child.stdout.setEncoding("utf8");
			child.stdout.on("data", (chunk) => {
				text += chunk;
			});
			child.once("error", reject);
			child.once("exit", (code) => (code === 0 ? resolve(text) : reject(new Error(`wrk exited with code ${code}`))));
		});
		const line = output.split("\n").find((candidate) => candidate.startsWith(marker));
		if (line === undefined) throw new Error(`wrk printed no summary: ${output.slice(0, 300)}`);
		const raw = JSON.parse(line.slice(marker.length));
		const seconds = raw.micros / 1e6;
		return {
			requestsPerSecond: (raw.requests - raw.status) / seconds,
			latencyP50: raw.p50 / 1000,
			latencyP99: raw.p99 / 1000,
			latencyMean: raw.mean / 1000,
			total: raw.requests,
			duration: seconds,
			// wrk tells answers outside 2xx/3xx apart, not each status.
			statusCodes: {},
			outside2xx3xx: raw.status,
			errors: raw.connect + raw.read + raw.write,
			timeouts: raw.timeout,
		};
	} finally {
		await rm(directory, { recursive: true, force: true });
	}
}
