// pg-boss's tables (schema `pgboss`), installed or migrated without starting a queue: for test snapshots and deploy steps.
import type { Logger } from "pino";
import { pino } from "pino";
import type { DatabaseHandle } from "../db/index.js";
import { createJobQueue } from "./queue.js";

/** Idempotent, and safe from N processes at once: the queue starts under the schema lock (see queue.ts). */
export async function installJobSchema(
	handle: DatabaseHandle,
	logger: Logger = pino({ level: "silent" }),
): Promise<void> {
	const queue = createJobQueue({ handle, logger, kinds: [], role: "api", poolSize: 1 });
	try {
		await queue.start();
	} finally {
		await queue.stop({ timeoutMs: 1000 });
	}
}
