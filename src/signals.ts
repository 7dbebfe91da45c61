// SIGTERM/SIGINT: one graceful stop of the runtime, exit 0 when it went well, 1 otherwise.
import type { Logger } from "pino";
import type { Runtime } from "./runtime.js";

export function stopOnSignals(runtime: Pick<Runtime, "stop">, logger: Logger): void {
	let stopping = false;
	const stop = async (signal: NodeJS.Signals) => {
		if (stopping) return;
		stopping = true;
		logger.info({ signal }, "shutting down");
		try {
			await runtime.stop();
			logger.info("stopped");
			process.exit(0);
		} catch (error) {
			logger.error({ err: error }, "shutdown failed");
			process.exit(1);
		}
	};
	process.once("SIGTERM", (signal) => void stop(signal));
	process.once("SIGINT", (signal) => void stop(signal));
}
