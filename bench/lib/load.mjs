// Runs one load measurement in a child process (pinned to CPU 0 when taskset is available) and returns its summary.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { taskset } from "./processes.mjs";

const worker = fileURLToPath(new URL("./load-worker.mjs", import.meta.url));

/**
 * @param {{ url: string, method: string, headers?: Record<string, string>, body?: string, connections: number, duration: number }} spec
 * @param {{ pin: boolean }} options
 */
export function runLoad(spec, { pin }) {
	const command = [process.execPath, worker, JSON.stringify(spec)];
	const [file, ...args] = pin && taskset !== undefined ? [taskset, "-c", "0", ...command] : command;
	return new Promise((resolve, reject) => {
		const child = spawn(file, args, { stdio: ["ignore", "pipe", "inherit"] });
		let output = "";
		child.stdout.setEncoding("utf8");
		child.stdout.on("data", (chunk) => {
			output += chunk;
		});
		child.once("error", reject);
		child.once("exit", (code) => {
			if (code !== 0) return reject(new Error(`load generator exited with code ${code}`));
			try {
				resolve(JSON.parse(output));
			} catch {
				reject(new Error(`load generator printed no summary: ${output.slice(0, 200)}`));
			}
		});
	});
}
