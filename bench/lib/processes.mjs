// Child processes of the benchmark: contestant servers (CPU pinning, waiting for the port, graceful stop)
// and measuring children that print one JSON summary.
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";

/** Path of taskset when the machine has it and more than one CPU, otherwise undefined. */
export const taskset = ["/usr/bin/taskset", "/bin/taskset"].find((path) => existsSync(path));

/** The command, prefixed with `taskset -c <cpu>` when pinning is asked for and possible. */
export function pinned(command, cpu, pin) {
	return pin && taskset !== undefined ? [taskset, "-c", String(cpu), ...command] : command;
}

/** Runs a measuring child (pinned to `cpu` when asked) and resolves with the JSON it prints on stdout. */
export function runJsonChild(command, { cpu, pin, label }) {
	const [file, ...args] = pinned(command, cpu, pin);
	return new Promise((resolve, reject) => {
		const child = spawn(file, args, { stdio: ["ignore", "pipe", "inherit"] });
		let output = "";
		child.stdout.setEncoding("utf8");
		child.stdout.on("data", (chunk) => {
			output += chunk;
		});
		child.once("error", reject);
		child.once("exit", (code) => {
			if (code !== 0) return reject(new Error(`${label} exited with code ${code}`));
			try {
				resolve(JSON.parse(output));
			} catch {
				reject(new Error(`${label} printed no summary: ${output.slice(0, 200)}`));
			}
		});
	});
}

/**
 * Spawns a server, pinned to CPU 1 when asked, and resolves once `probe` (GET path) answers.
 * @returns {Promise<{ url: string, stop: () => Promise<void>, child: import("node:child_process").ChildProcess }>}
 */
export async function startServer({ name, command, args, env, cwd, port, readyPath, pin, bootTimeoutMs = 90_000 }) {
	const full = pinned([command, ...args], 1, pin);
	const child = spawn(full[0], full.slice(1), {
		cwd,
		env: { ...process.env, ...env, PORT: String(port) },
		stdio: ["ignore", "inherit", "pipe"],
	});
	let stderr = "";
	child.stderr.setEncoding("utf8");
	child.stderr.on("data", (chunk) => {
		stderr += chunk;
		process.stderr.write(`[${name}] ${chunk}`);
	});
	const exited = new Promise((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
	const url = `http://127.0.0.1:${port}`;
	const deadline = Date.now() + bootTimeoutMs;
	for (;;) {
		const early = await Promise.race([exited, sleep(100).then(() => undefined)]);
		if (early !== undefined)
			throw new Error(
				`${name} exited during boot (code ${early.code}, signal ${early.signal})\n${stderr.slice(-2000)}`,
			);
		try {
			const response = await fetch(url + readyPath);
			await response.arrayBuffer();
			break;
		} catch {
			if (Date.now() > deadline) {
				child.kill("SIGKILL");
				throw new Error(`${name} did not answer on ${url}${readyPath} within ${bootTimeoutMs / 1000} s`);
			}
		}
	}
	const stop = async () => {
		if (child.exitCode !== null || child.signalCode !== null) return;
		child.kill("SIGTERM");
		const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
		await exited;
		clearTimeout(timer);
	};
	return { url, stop, child };
}

/** CPU time (user + system, all threads) a process has used so far, in microseconds; NaN where /proc is missing. */
export function cpuMicros(pid) {
	try {
		const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
		// Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th, in 1/100 s.
		const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
		return (Number(fields[11]) + Number(fields[12])) * 10_000;
	} catch {
		return Number.NaN;
	}
}

export function sleep(ms) {
	return new Promise((resolve) => setTimeout(resolve, ms));
}
