// Runs one load measurement in a child process (pinned to CPU 0 when taskset is available) and returns its summary.
import { fileURLToPath } from "node:url";
import { runJsonChild } from "./processes.mjs";

const worker = fileURLToPath(new URL("./load-worker.mjs", import.meta.url));

/**
 * @param {{ url: string, method: string, headers?: Record<string, string>, body?: string, connections: number, duration: number }} spec
 * @param {{ pin: boolean }} options
 */
export function runLoad(spec, { pin }) {
	return runJsonChild([process.execPath, worker, JSON.stringify(spec)], { cpu: 0, pin, label: "load generator" });
}
