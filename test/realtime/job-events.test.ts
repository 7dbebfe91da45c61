// Job events in the real-time log: progress, completion and final failure, for the user who caused the job, each
// committed with the job state it reports (a client reading the job on the event sees that state).
import { sql } from "drizzle-orm";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import type { DatabaseHandle } from "../../src/db/client.js";
import { queryRows } from "../../src/db/index.js";
import { defineJobKind } from "../../src/jobs/job-kind.js";
import { type JobQueue, PermanentJobError } from "../../src/jobs/queue.js";
import { getTestDatabaseHandle, resetTestDatabase } from "../helpers/database.js";
import { publishedEvents } from "../helpers/events.js";
import { createUser } from "../helpers/fixtures.js";
import { startTestJobQueue, waitForJob } from "../helpers/jobs.js";

const reporting = defineJobKind({
	name: "test.reporting",
	payload: z.object({ steps: z.number().int() }),
	retryLimit: 0,
});
const failing = defineJobKind({
	name: "test.failing",
	// Fails its first `failures` attempts; -1: fails with a PermanentJobError.
	payload: z.object({ failures: z.number().int() }),
	retryLimit: 1,
	retryDelaySeconds: 1,
	retryBackoff: false,
});
const held = defineJobKind({ name: "test.held", payload: z.object({}), retryLimit: 0 });

let handle: DatabaseHandle;
let queue: JobQueue;
let userId: number;
/** Lets a test hold the `test.held` job after its first progress report. */
let gate: { reached: () => void; release: Promise<void> };

beforeAll(async () => {
	handle = await getTestDatabaseHandle();
	queue = await startTestJobQueue(handle, [reporting, failing, held]);
	await queue.work(reporting, async ({ payload, progress }) => {
		for (let step = 1; step <= payload.steps; step += 1) await progress(step, payload.steps, `step ${step}`);
		return { steps: payload.steps };
	});
	await queue.work(failing, async ({ payload, attempt }) => {
		if (payload.failures < 0) throw new PermanentJobError("this will never work");
		if (attempt <= payload.failures) throw new Error(`failure number ${attempt}`);
		return { attempt };
	});
	await queue.work(held, async ({ progress }) => {
		await progress(1, 2, "half way");
		gate.reached();
		await gate.release;
		await progress(2, 2, "done");
	});
});

beforeEach(async () => {
	await resetTestDatabase(handle.db);
	userId = (await createUser(handle.db)).id;
});

/** The first event of `type` and the state of its job, read in one statement: one snapshot of both. */
async function firstSight(type: string, timeoutMs = 15_000): Promise<{ state: string }> {
	const deadline = Date.now() + timeoutMs;
	while (Date.now() < deadline) {
		const [row] = await queryRows<{ state: string }>(
			handle.db,
			sql`select j.state::text as state from realtime_events e
				join pgboss.job j on j.id = (e.data->>'jobId')::uuid where e.type = ${type} order by e.id limit 1`,
		);
		if (row !== undefined) return row;
		await new Promise((resolve) => setTimeout(resolve, 5));
	}
	throw new Error(`no ${type} event in ${timeoutMs} ms`);
}

describe("job events", () => {
	it("logs each progress report, then job.completed with the output, for the user who caused the job", async () => {
		const id = (await queue.enqueue(reporting, { steps: 2 }, { requestedBy: userId })) as string;
		await waitForJob(queue, id);
		const events = await publishedEvents(handle.db);
		expect(events.map(({ type, audience, data }) => ({ type, audience, data }))).toEqual([
			{
				type: "job.progress",
				audience: [`user:${userId}`],
				data: { jobId: id, kind: "test.reporting", done: 1, total: 2, message: "step 1" },
			},
			{
				type: "job.progress",
				audience: [`user:${userId}`],
				data: { jobId: id, kind: "test.reporting", done: 2, total: 2, message: "step 2" },
			},
			{
				type: "job.completed",
				audience: [`user:${userId}`],
				data: { jobId: id, kind: "test.reporting", output: { steps: 2 } },
			},
		]);
	});

	it("logs job.completed only once the job reads completed", async () => {
		await queue.enqueue(reporting, { steps: 0 }, { requestedBy: userId });
		expect(await firstSight("job.completed")).toEqual({ state: "completed" });
	});

	it("logs no job.failed while retries are left, and job.failed with the message once the last attempt failed", async () => {
		const id = (await queue.enqueue(failing, { failures: 10 }, { requestedBy: userId })) as string;
		await waitForJob(queue, id, ["retrying"]);
		expect(await publishedEvents(handle.db)).toEqual([]);
		expect(await firstSight("job.failed")).toEqual({ state: "failed" });
		const events = await publishedEvents(handle.db);
		expect(events.map(({ type, audience, data }) => ({ type, audience, data }))).toEqual([
			{
				type: "job.failed",
				audience: [`user:${userId}`],
				data: { jobId: id, kind: "test.failing", message: "failure number 2" },
			},
		]);
	});

	it("logs no event for a failure that a retry then cures, only job.completed", async () => {
		const id = (await queue.enqueue(failing, { failures: 1 }, { requestedBy: userId })) as string;
		await waitForJob(queue, id);
		expect((await publishedEvents(handle.db)).map(({ type, data }) => ({ type, data }))).toEqual([
			{ type: "job.completed", data: { jobId: id, kind: "test.failing", output: { attempt: 2 } } },
		]);
	});

	it("logs job.failed at once for a failure no retry can cure, the job failed with its attempts intact", async () => {
		const id = (await queue.enqueue(failing, { failures: -1 }, { requestedBy: userId })) as string;
		const job = await waitForJob(queue, id);
		expect(job).toMatchObject({ state: "failed", attempts: 1, maxAttempts: 2, error: "this will never work" });
		expect((await publishedEvents(handle.db)).map(({ type, data }) => ({ type, data }))).toEqual([
			{ type: "job.failed", data: { jobId: id, kind: "test.failing", message: "this will never work" } },
		]);
	});

	it("logs job.failed for a job whose stored payload no longer parses", async () => {
		const id = (await queue.enqueue(reporting, { steps: 1 }, { requestedBy: userId, startAfter: 3600 })) as string;
		await handle.db.execute(
			sql`update pgboss.job set data = '{"steps": "one"}', start_after = now() where id = ${id}::uuid`,
		);
		const job = await waitForJob(queue, id);
		expect(job.state).toBe("failed");
		const events = await publishedEvents(handle.db);
		expect(events.map(({ type }) => type)).toEqual(["job.failed"]);
		expect(events[0]?.data).toMatchObject({ jobId: id, message: expect.stringMatching(/^invalid payload/) });
	});

	it("logs nothing for a job nobody caused (a scheduled one)", async () => {
		const done = (await queue.enqueue(reporting, { steps: 2 })) as string;
		const failed = (await queue.enqueue(failing, { failures: -1 })) as string;
		await waitForJob(queue, done);
		await waitForJob(queue, failed);
		expect(await publishedEvents(handle.db)).toEqual([]);
	});

	it("logs no job.completed nor job.failed for a job cancelled while it runs", async () => {
		let reached!: () => void;
		let release!: () => void;
		const halfWay = new Promise<void>((resolve) => {
			reached = resolve;
		});
		gate = { reached, release: new Promise<void>((resolve) => (release = resolve)) };
		const id = (await queue.enqueue(held, {}, { requestedBy: userId })) as string;
		await halfWay;
		expect(await queue.cancel(id)).toBe("cancelled");
		release();
		await new Promise((resolve) => setTimeout(resolve, 300));
		expect((await publishedEvents(handle.db)).map(({ type, data }) => ({ type, data }))).toEqual([
			{ type: "job.progress", data: { jobId: id, kind: "test.held", done: 1, total: 2, message: "half way" } },
		]);
	});
});
