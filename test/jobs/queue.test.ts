// The job queue on the tested engine: transactional enqueue, payload checks, priority, delay, retries with backoff,
// timeout, cancellation, singletons and progress, through pg-boss itself.
import { setTimeout as sleep } from "node:timers/promises";
import { sql } from "drizzle-orm";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import type { DatabaseHandle } from "../../src/db/client.js";
import { users } from "../../src/db/schema/index.js";
import { defineJobKind } from "../../src/jobs/job-kind.js";
import { JobPayloadError, type JobQueue, PermanentJobError } from "../../src/jobs/queue.js";
import { getTestDatabaseHandle, resetTestDatabase } from "../helpers/database.js";
import { createUser } from "../helpers/fixtures.js";
import { startTestJobQueue, waitForJob } from "../helpers/jobs.js";

const echo = defineJobKind({ name: "test.echo", payload: z.object({ text: z.string().min(1) }), retryLimit: 0 });
const flaky = defineJobKind({
	name: "test.flaky",
	payload: z.object({ failures: z.number().int() }),
	retryLimit: 2,
	retryDelaySeconds: 1,
	retryBackoff: false,
});
const slow = defineJobKind({
	name: "test.slow",
	payload: z.object({ ms: z.number().int() }),
	timeoutSeconds: 1,
	retryLimit: 1,
	retryDelaySeconds: 1,
	retryBackoff: false,
});
const ordered = defineJobKind({ name: "test.ordered", payload: z.object({ label: z.string() }) });
const single = defineJobKind({ name: "test.single", payload: z.object({}), singleton: true });
const steps = defineJobKind({ name: "test.steps", payload: z.object({ steps: z.number().int() }) });
const kinds = [echo, flaky, slow, ordered, single, steps];

let handle: DatabaseHandle;
let queue: JobQueue;
const seen: Record<string, unknown[]> = {};
const record = (key: string, value: unknown) => {
	seen[key] ??= [];
	seen[key].push(value);
};
/** Lets a test hold the `test.steps` job between two progress reports. */
let gate: { reached: () => void; release: Promise<void> } | undefined;

beforeAll(async () => {
	handle = await getTestDatabaseHandle();
	queue = await startTestJobQueue(handle, kinds);
	await queue.work(echo, async ({ payload, attempt }) => {
		record("echo", { text: payload.text, attempt });
		return { echoed: payload.text };
	});
	await queue.work(flaky, async ({ id, payload, attempt }) => {
		record(id, Date.now());
		if (payload.failures < 0) throw new PermanentJobError("this will never work");
		if (attempt <= payload.failures) throw new Error(`failure number ${attempt}`);
		return { attempt };
	});
	await queue.work(slow, async ({ payload, attempt, signal }) => {
		const ms = attempt === 1 ? payload.ms : 10;
		await sleep(ms, undefined, { signal });
		return { attempt };
	});
	await queue.work(steps, async ({ payload, progress }) => {
		for (let step = 1; step <= payload.steps; step += 1) {
			await progress(step, payload.steps, `step ${step}`);
			if (step === 1 && gate !== undefined) {
				gate.reached();
				await gate.release;
			}
		}
		return { steps: payload.steps };
	});
});

beforeEach(async () => {
	await resetTestDatabase(handle.db);
	for (const key of Object.keys(seen)) delete seen[key];
	gate = undefined;
});

describe("enqueue", () => {
	it("runs a job and shows its output and attempts", async () => {
		const id = await queue.enqueue(echo, { text: "hello" });
		expect(id).toMatch(/^[0-9a-f-]{36}$/);
		const job = await waitForJob(queue, id as string);
		expect(job).toMatchObject({
			name: "test.echo",
			state: "completed",
			output: { echoed: "hello" },
			attempts: 1,
			maxAttempts: 1,
			error: null,
		});
		expect(job.startedAt).toBeInstanceOf(Date);
		expect(job.completedAt?.getTime()).toBeGreaterThanOrEqual(job.createdAt.getTime());
	});

	it("refuses a bad payload before writing anything", async () => {
		await expect(queue.enqueue(echo, { text: "" })).rejects.toThrow(JobPayloadError);
		await expect(queue.enqueue(echo, { text: 3 } as never)).rejects.toThrow(/test\.echo.*text/);
		const { total } = await queue.store.list({ limit: 10, offset: 0 });
		expect(total).toBe(0);
	});

	it("writes the job only if the caller's transaction commits", async () => {
		const user = await createUser(handle.db);
		const committed = await handle.db.transaction(async (tx) => {
			await tx.update(users).set({ displayName: "Committed" }).where(sql`${users.id} = ${user.id}`);
			return queue.enqueue(echo, { text: "kept" }, { executor: tx, requestedBy: user.id });
		});
		let rolledBack: string | null = null;
		await expect(
			handle.db.transaction(async (tx) => {
				rolledBack = await queue.enqueue(echo, { text: "dropped" }, { executor: tx, requestedBy: user.id });
				throw new Error("abort the transaction");
			}),
		).rejects.toThrow("abort the transaction");
		expect(rolledBack).not.toBeNull();
		expect(await queue.store.find(rolledBack as unknown as string)).toBeNull();
		const kept = await waitForJob(queue, committed as string);
		expect(kept.requestedBy).toBe(user.id);
		const mine = await queue.store.list({ requestedBy: user.id, limit: 10, offset: 0 });
		expect(mine.jobs.map((job) => job.id)).toEqual([committed]);
	});

	it("refuses a kind the queue was not started with", async () => {
		const stranger = defineJobKind({ name: "test.stranger", payload: z.object({}) });
		await expect(queue.enqueue(stranger, {})).rejects.toThrow(/not one of this queue's kinds/);
	});
});

describe("scheduling", () => {
	it("runs due jobs by priority, then in order; a delayed job waits", async () => {
		const order: string[] = [];
		const delayed = await queue.enqueue(ordered, { label: "delayed" }, { startAfter: 2 });
		await queue.enqueue(ordered, { label: "low" }, { priority: -5 });
		await queue.enqueue(ordered, { label: "first" });
		await queue.enqueue(ordered, { label: "high" }, { priority: 5 });
		await queue.enqueue(ordered, { label: "second" });
		const stats = await queue.store.stats(queue.kinds.map((kind) => kind.name));
		expect(stats["test.ordered"]).toMatchObject({ queued: 5, active: 0 });
		// Registered only now, one at a time, so that the four due jobs are all waiting when it starts.
		await queue.work(
			ordered,
			async ({ payload }) => {
				order.push(payload.label);
			},
			{ concurrency: 1 },
		);
		const job = await waitForJob(queue, delayed as string);
		expect(order).toEqual(["high", "first", "second", "low", "delayed"]);
		expect((job.startedAt as Date).getTime() - job.createdAt.getTime()).toBeGreaterThanOrEqual(1900);
	});
});

describe("draining", () => {
	it("takes the next waiting job as soon as one ends, not a poll interval later", async () => {
		const backlog = defineJobKind({ name: "test.backlog", payload: z.object({ n: z.number().int() }) });
		// A 30-second poll: five jobs one after another would take two minutes if each waited for it.
		const slowPolling = await startTestJobQueue(handle, [backlog], { pollSeconds: 30 });
		const ids: string[] = [];
		for (let n = 1; n <= 5; n += 1) ids.push((await slowPolling.enqueue(backlog, { n })) as string);
		const done: number[] = [];
		await slowPolling.work(
			backlog,
			async ({ payload }) => {
				done.push(payload.n);
			},
			{ concurrency: 1 },
		);
		const last = await waitForJob(slowPolling, ids[4] as string, ["completed"], 15_000);
		expect(last.state).toBe("completed");
		expect(done).toEqual([1, 2, 3, 4, 5]);
		await slowPolling.stop({ timeoutMs: 1000 });
	});
});

describe("failures", () => {
	it("retries a failing job after its delay, then completes", async () => {
		const id = (await queue.enqueue(flaky, { failures: 2 })) as string;
		const job = await waitForJob(queue, id);
		expect(job).toMatchObject({ state: "completed", attempts: 3, maxAttempts: 3, output: { attempt: 3 } });
		const starts = seen[id] as number[];
		expect(starts).toHaveLength(3);
		expect((starts[1] as number) - (starts[0] as number)).toBeGreaterThanOrEqual(900);
	});

	it("fails for good after its retries, with the message and no stack", async () => {
		const id = (await queue.enqueue(flaky, { failures: 10 })) as string;
		const retrying = await waitForJob(queue, id, ["retrying"]);
		expect(retrying.error).toBe("failure number 1");
		const job = await waitForJob(queue, id);
		expect(job).toMatchObject({ state: "failed", attempts: 3, error: "failure number 3", output: null });
		expect(JSON.stringify(job)).not.toContain("at ");
	});

	it("fails at once, skipping its retries, a job whose handler says no retry can help", async () => {
		const id = (await queue.enqueue(flaky, { failures: -1 })) as string;
		const job = await waitForJob(queue, id);
		expect(job).toMatchObject({ state: "failed", attempts: 1, maxAttempts: 3, error: "this will never work" });
		expect(seen[id]).toHaveLength(1);
	});

	it("aborts a run past its timeout and retries it", async () => {
		const id = (await queue.enqueue(slow, { ms: 5000 })) as string;
		const retrying = await waitForJob(queue, id, ["retrying"]);
		// pg-boss's own failure, stored its own way: still shown by its message.
		expect(retrying.error).not.toBeNull();
		expect(retrying.error).not.toBe("the job failed");
		const job = await waitForJob(queue, id);
		expect(job).toMatchObject({ state: "completed", attempts: 2, output: { attempt: 2 } });
	});

	it("shows the message of a failure pg-boss recorded itself (a lost heartbeat)", async () => {
		const id = (await queue.enqueue(echo, { text: "lost" }, { startAfter: 3600 })) as string;
		// What pg-boss's supervisor writes when a worker stops sending heartbeats.
		await handle.db.execute(
			sql`update pgboss.job set state = 'retry', started_on = now(),
				output = '{"value": {"message": "job heartbeat timeout"}}' where id = ${id}::uuid`,
		);
		expect(await queue.store.find(id)).toMatchObject({ state: "retrying", error: "job heartbeat timeout" });
	});

	it("fails at once a job whose stored payload no longer parses", async () => {
		// Written around the queue's check, as an older release of the code might have.
		const id = (await queue.enqueue(echo, { text: "fine" }, { startAfter: 3600 })) as string;
		await handle.db.execute(
			sql`update pgboss.job set data = '{"text": 1}', start_after = now() where id = ${id}::uuid`,
		);
		const job = await waitForJob(queue, id);
		expect(job.state).toBe("failed");
		expect(job.error).toMatch(/^invalid payload/);
		expect(seen.echo).toBeUndefined();
	});
});

describe("cancel, singletons, progress", () => {
	it("cancels a waiting job; a finished one answers finished", async () => {
		const id = (await queue.enqueue(echo, { text: "never" }, { startAfter: 3600 })) as string;
		expect(await queue.cancel(id)).toBe("cancelled");
		expect((await queue.store.find(id))?.state).toBe("cancelled");
		expect(await queue.cancel(id)).toBe("finished");
		expect(await queue.cancel("00000000-0000-4000-8000-000000000000")).toBe("missing");
	});

	it("keeps one singleton job waiting at a time", async () => {
		const first = await queue.enqueue(single, {}, { startAfter: 3600 });
		const second = await queue.enqueue(single, {}, { startAfter: 3600 });
		expect(first).not.toBeNull();
		expect(second).toBeNull();
	});

	it("shows progress while running, and stops a running job that is cancelled at its next report", async () => {
		let reached!: () => void;
		let release!: () => void;
		const atFirstStep = new Promise<void>((resolve) => {
			reached = resolve;
		});
		gate = { reached, release: new Promise<void>((resolve) => (release = resolve)) };
		const id = (await queue.enqueue(steps, { steps: 3 })) as string;
		await atFirstStep;
		const running = await queue.store.find(id);
		expect(running).toMatchObject({ state: "active", progress: { done: 1, total: 3, message: "step 1" } });
		expect(await queue.cancel(id)).toBe("cancelled");
		release();
		await new Promise((resolve) => setTimeout(resolve, 300));
		const job = await queue.store.find(id);
		expect(job).toMatchObject({ state: "cancelled", progress: { done: 1, total: 3 } });
	});

	it("keeps the last progress of a completed job", async () => {
		const id = (await queue.enqueue(steps, { steps: 4 })) as string;
		const job = await waitForJob(queue, id);
		expect(job).toMatchObject({ state: "completed", progress: { done: 4, total: 4, message: "step 4" } });
	});
});
