// A started job queue on the test file's database, stopped when the file ends; and a way to wait for a job's state.
import { pino } from "pino";
import type { DatabaseHandle } from "../../src/db/client.js";
import type { JobKind } from "../../src/jobs/job-kind.js";
import type { JobState, JobView } from "../../src/jobs/job-store.js";
import { createJobQueue, type JobQueue, type JobQueueOptions } from "../../src/jobs/queue.js";
import { afterFile } from "./after-file.js";

export async function startTestJobQueue(
	handle: DatabaseHandle,
	kinds: readonly JobKind[],
	options: Partial<Omit<JobQueueOptions, "handle" | "kinds">> = {},
): Promise<JobQueue> {
	const queue = createJobQueue({
		handle,
		kinds,
		logger: options.logger ?? pino({ level: "silent" }),
		role: options.role ?? "worker",
		pollSeconds: options.pollSeconds ?? 0.5,
		superviseSeconds: options.superviseSeconds ?? 1,
		poolSize: options.poolSize ?? 2,
	});
	await queue.start();
	afterFile(() => queue.stop({ timeoutMs: 2000 }));
	return queue;
}

/** Polls the job until it reaches one of `states` (default: a final one); fails after `timeoutMs`. */
export async function waitForJob(
	queue: JobQueue,
	jobId: string,
	states: readonly JobState[] = ["completed", "failed", "cancelled"],
	timeoutMs = 20_000,
): Promise<JobView> {
	const deadline = Date.now() + timeoutMs;
	let last: JobView | null = null;
	while (Date.now() < deadline) {
		last = await queue.store.find(jobId);
		if (last !== null && states.includes(last.state)) return last;
		await new Promise((resolve) => setTimeout(resolve, 50));
	}
	throw new Error(
		`job ${jobId} did not reach ${states.join("/")} in ${timeoutMs} ms; last seen: ${JSON.stringify(last)}`,
	);
}
