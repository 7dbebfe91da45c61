// pg-boss's tables (schema `pgboss`), installed or migrated without starting a queue: for test snapshots and deploy steps.
import type { Logger } from "pino";
import { pino } from "pino";
import type { DatabaseHandle } from "../db/index.js";
import { createJobQueue } from "./queue.js";

/**
 * Idempotent, and safe from N processes at once: pg-boss installs under an advisory lock of its own, and an install that
 * waited for another one takes its "already exists" for done (pg-boss's contractor.js, the create race).
 */
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
