// Job routes: a job is seen (and cancelled) by the user who caused it and by platform admins; its state, attempts,
// progress and output as a real worker leaves them; my jobs listed, filtered and paginated.
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import type { App } from "../../src/core/index.js";
import type { DatabaseHandle } from "../../src/db/index.js";
import { defineJobKind } from "../../src/jobs/job-kind.js";
import { dofusDbSyncJob, jobKinds, mailDeliverJob, maintenanceCleanupJob } from "../../src/jobs/kinds.js";
import type { JobQueue } from "../../src/jobs/queue.js";
import { anonymous, as } from "../helpers/calls.js";
import { getTestDatabaseHandle, resetTestDatabase, testJobQueueOf } from "../helpers/database.js";
import { buildIdentityApp, signUp, type TestUser } from "../helpers/identity.js";
import { startTestJobQueue, waitForJob } from "../helpers/jobs.js";

const adminEmail = "admin@example.test";
const isoDate = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;
const unknownJobId = "00000000-0000-4000-8000-000000000000";

/** Fails at once, for good: its message is what the API shows. */
const failingJob = defineJobKind({ name: "test.failing", payload: z.object({}).strict(), retryLimit: 0 });
/** Fails once, then waits an hour for its retry: it stays `retrying` for the whole test. */
const retriedJob = defineJobKind({
	name: "test.retried",
	payload: z.object({}).strict(),
	retryLimit: 1,
	retryDelaySeconds: 3600,
	retryBackoff: false,
});

let handle: DatabaseHandle;
let app: App;
/** The app's own queue (API role): what the routes enqueue on and read. */
let api: JobQueue;
/** A worker on the same database: it runs the sync and the test kinds, never mail.deliver (those stay queued). */
let worker: JobQueue;
/** Holds the sync job between its first and its last progress report, when a test sets it. */
let hold: { reached: () => void; release: () => void; released: Promise<void> } | undefined;

function holdSync() {
	let reached: () => void = () => {};
	let release: () => void = () => {};
	const onReached = new Promise<void>((resolve) => {
		reached = resolve;
	});
	const released = new Promise<void>((resolve) => {
		release = resolve;
	});
	hold = { reached, release, released };
	return { reached: onReached, release };
}

beforeAll(async () => {
	handle = await getTestDatabaseHandle();
	api = testJobQueueOf(handle.db);
	worker = await startTestJobQueue(handle, [...jobKinds, failingJob, retriedJob]);
	await worker.work(dofusDbSyncJob, async ({ progress }) => {
		await progress(1, 3, "classes");
		if (hold !== undefined) {
			hold.reached();
			await hold.released;
		}
		await progress(3, 3, "dungeons");
		return { classes: { created: 2, updated: 0 } };
	});
	await worker.work(failingJob, async () => {
		throw new Error("DofusDB answered 503");
	});
	await worker.work(retriedJob, async () => {
		throw new Error("first run fails");
	});
});

beforeEach(async () => {
	await resetTestDatabase(handle.db);
	hold = undefined;
	({ app } = buildIdentityApp(handle.db, { config: { ADMIN_EMAILS: [adminEmail] } }));
});

/**
 * A job caused by `user` (null: by nobody, as a scheduled one): a mail.deliver by default, or a maintenance.cleanup.
 * No worker here runs either kind: it stays queued.
 */
async function queuedJobOf(user: Pick<TestUser, "id"> | null, kind: "mail" | "cleanup" = "mail") {
	const options = { requestedBy: user?.id ?? null };
	const id =
		kind === "mail"
			? await api.enqueue(mailDeliverJob, { outboxId: 1 }, options)
			: await api.enqueue(maintenanceCleanupJob, {}, options);
	if (id === null) throw new Error("the job was not enqueued");
	return id;
}

async function startSyncAs(admin: { headers: { authorization: string } }) {
	const response = await as(app, admin).post("/api/admin/sync/dofusdb");
	expect(response).toAnswer(202, "sync.queued");
	return response.json().job.id as string;
}

describe("GET /api/jobs/{jobId}", () => {
	it("shows a running job's progress and attempts, then its output once a worker completed it", async () => {
		const admin = await signUp(app, { email: adminEmail });
		const gate = holdSync();
		const id = await startSyncAs(admin);
		await gate.reached;
		try {
			const running = await as(app, admin).get(`/api/jobs/${id}`);
			expect(running).toAnswer(200, "job.found");
			expect(running.json().job).toMatchObject({
				id,
				name: "dofusdb.sync",
				state: "active",
				progress: { done: 1, total: 3, message: "classes" },
				attempts: 1,
				maxAttempts: dofusDbSyncJob.retryLimit + 1,
				completedAt: null,
				error: null,
				output: null,
			});
		} finally {
			gate.release();
		}
		await waitForJob(worker, id);
		const done = (await as(app, admin).get(`/api/jobs/${id}`)).json().job;
		expect(done).toMatchObject({
			state: "completed",
			progress: { done: 3, total: 3, message: "dungeons" },
			attempts: 1,
			error: null,
			output: { classes: { created: 2, updated: 0 } },
		});
		expect([done.createdAt, done.startedAt, done.completedAt]).toEqual([
			expect.stringMatching(isoDate),
			expect.stringMatching(isoDate),
			expect.stringMatching(isoDate),
		]);
		expect(done).not.toHaveProperty("requestedBy");
	});

	it("shows a failed job's message, never its stack", async () => {
		const user = await signUp(app);
		const id = await worker.enqueue(failingJob, {}, { requestedBy: user.id });
		await waitForJob(worker, id as string);
		const response = await as(app, user).get(`/api/jobs/${id}`);
		expect(response).toAnswer(200, "job.found");
		expect(response.json().job).toMatchObject({
			state: "failed",
			error: "DofusDB answered 503",
			attempts: 1,
			maxAttempts: 1,
			output: null,
		});
		expect(response.body).not.toMatch(/stack|at .*\.ts:\d+/);
	});

	it("shows a job waiting for its retry as retrying, with the last error", async () => {
		const user = await signUp(app);
		const id = await worker.enqueue(retriedJob, {}, { requestedBy: user.id });
		await waitForJob(worker, id as string, ["retrying"]);
		const job = (await as(app, user).get(`/api/jobs/${id}`)).json().job;
		expect(job).toMatchObject({ state: "retrying", error: "first run fails", attempts: 1, maxAttempts: 2 });
	});

	it("shows a queued job to the user who caused it, with no progress yet", async () => {
		const user = await signUp(app);
		const id = await queuedJobOf(user);
		const response = await as(app, user).get(`/api/jobs/${id}`);
		expect(response).toAnswer(200, "job.found");
		expect(response.json().job).toMatchObject({
			id,
			name: "mail.deliver",
			state: "queued",
			progress: null,
			attempts: 0,
			startedAt: null,
		});
	});

	it("answers 404 job.not_found for another user's job, exactly as for a job that does not exist", async () => {
		const owner = await signUp(app);
		const stranger = await signUp(app);
		const id = await queuedJobOf(owner);
		const hidden = await as(app, stranger).get(`/api/jobs/${id}`);
		const missing = await as(app, stranger).get(`/api/jobs/${unknownJobId}`);
		expect(hidden).toAnswer(404, "job.not_found");
		expect(missing).toAnswer(404, "job.not_found");
		expect(hidden.json()).toEqual(missing.json());
	});

	it("answers 404 to every user for a job nobody caused (a scheduled one), and shows it to platform admins", async () => {
		const user = await signUp(app);
		const admin = await signUp(app, { email: adminEmail });
		const id = await queuedJobOf(null, "cleanup");
		expect(await as(app, user).get(`/api/jobs/${id}`)).toAnswer(404, "job.not_found");
		const seen = await as(app, admin).get(`/api/jobs/${id}`);
		expect(seen).toAnswer(200, "job.found");
		expect(seen.json().job.name).toBe("maintenance.cleanup");
	});

	it("shows any user's job to a platform admin", async () => {
		const owner = await signUp(app);
		const admin = await signUp(app, { email: adminEmail });
		const id = await queuedJobOf(owner);
		const response = await as(app, admin).get(`/api/jobs/${id}`);
		expect(response).toAnswer(200, "job.found");
		expect(response.json().job.id).toBe(id);
	});

	it("answers 400 TYPE_ERROR.params.jobId for an id that is not a UUID", async () => {
		const user = await signUp(app);
		expect(await as(app, user).get("/api/jobs/42")).toAnswer(400, "TYPE_ERROR.params.jobId");
	});

	it("answers 401 session.missing without credentials", async () => {
		const owner = await signUp(app);
		const id = await queuedJobOf(owner);
		expect(await anonymous(app).get(`/api/jobs/${id}`)).toAnswer(401, "session.missing");
	});
});

describe("GET /api/jobs", () => {
	it("lists only my jobs, newest first, a page at a time with the total", async () => {
		const me = await signUp(app);
		const other = await signUp(app);
		const mine = [await queuedJobOf(me), await queuedJobOf(me), await queuedJobOf(me)];
		await queuedJobOf(other);
		await queuedJobOf(null, "cleanup");
		const first = await as(app, me).get("/api/jobs?limit=2");
		expect(first).toAnswer(200, "job.list");
		expect(first.json().jobs.map((job: { id: string }) => job.id)).toEqual([mine[2], mine[1]]);
		expect(first.json().pagination).toEqual({ page: 1, limit: 2, total: 3, totalPages: 2 });
		const second = (await as(app, me).get("/api/jobs?limit=2&page=2")).json();
		expect(second.jobs.map((job: { id: string }) => job.id)).toEqual([mine[0]]);
		expect(second.jobs[0]).not.toHaveProperty("requestedBy");
	});

	it("lists the mail job a password reset caused", async () => {
		const user = await signUp(app);
		expect(await anonymous(app).post("/api/auth/password/forgot", { email: user.email })).toAnswer(
			202,
			"password.reset_requested",
		);
		const jobs = (await as(app, user).get("/api/jobs")).json().jobs;
		expect(jobs).toMatchObject([{ name: "mail.deliver", state: "queued" }]);
	});

	it("filters by state and by job kind", async () => {
		const me = await signUp(app);
		const admin = await signUp(app, { email: adminEmail });
		const cancelled = await queuedJobOf(me);
		const queued = await queuedJobOf(me);
		await api.cancel(cancelled);
		const sync = await startSyncAs(admin);
		await waitForJob(worker, sync);
		const ids = async (caller: typeof me, query: string) =>
			((await as(app, caller).get(`/api/jobs?${query}`)).json().jobs as { id: string }[]).map((job) => job.id);
		expect(await ids(me, "state=cancelled")).toEqual([cancelled]);
		expect(await ids(me, "state=queued")).toEqual([queued]);
		expect(await ids(me, "name=mail.deliver&state=queued")).toEqual([queued]);
		expect(await ids(me, "name=dofusdb.sync")).toEqual([]);
		// An admin's list is theirs too: the sync they started, not the others' mail.
		expect(await ids(admin, "")).toEqual([sync]);
		expect(await ids(admin, "state=completed&name=dofusdb.sync")).toEqual([sync]);
	});

	it("answers 400 for a state or a kind that does not exist", async () => {
		const me = await signUp(app);
		expect(await as(app, me).get("/api/jobs?state=done")).toAnswer(400, "TYPE_ERROR.query.state");
		expect(await as(app, me).get("/api/jobs?name=test.failing")).toAnswer(400, "TYPE_ERROR.query.name");
	});

	it("answers 401 session.missing without credentials", async () => {
		expect(await anonymous(app).get("/api/jobs")).toAnswer(401, "session.missing");
	});
});

describe("POST /api/jobs/{jobId}/cancel", () => {
	it("cancels my queued job and answers it cancelled", async () => {
		const me = await signUp(app);
		const id = await queuedJobOf(me);
		const response = await as(app, me).post(`/api/jobs/${id}/cancel`);
		expect(response).toAnswer(200, "job.cancelled");
		expect(response.json().job).toMatchObject({ id, state: "cancelled", attempts: 0 });
		expect((await as(app, me).get(`/api/jobs/${id}`)).json().job.state).toBe("cancelled");
	});

	it("cancels a job waiting for its retry", async () => {
		const me = await signUp(app);
		const id = await worker.enqueue(retriedJob, {}, { requestedBy: me.id });
		await waitForJob(worker, id as string, ["retrying"]);
		const response = await as(app, me).post(`/api/jobs/${id}/cancel`);
		expect(response).toAnswer(200, "job.cancelled");
		expect(response.json().job.state).toBe("cancelled");
	});

	it("answers 409 job.finished for a job already cancelled, completed or failed", async () => {
		const me = await signUp(app);
		const admin = await signUp(app, { email: adminEmail });
		const cancelled = await queuedJobOf(me);
		expect(await as(app, me).post(`/api/jobs/${cancelled}/cancel`)).toAnswer(200, "job.cancelled");
		expect(await as(app, me).post(`/api/jobs/${cancelled}/cancel`)).toAnswer(409, "job.finished");
		const failed = (await worker.enqueue(failingJob, {}, { requestedBy: me.id })) as string;
		await waitForJob(worker, failed);
		expect(await as(app, me).post(`/api/jobs/${failed}/cancel`)).toAnswer(409, "job.finished");
		const completed = await startSyncAs(admin);
		await waitForJob(worker, completed);
		expect(await as(app, admin).post(`/api/jobs/${completed}/cancel`)).toAnswer(409, "job.finished");
		expect((await as(app, admin).get(`/api/jobs/${completed}`)).json().job.state).toBe("completed");
	});

	it("answers 404 job.not_found for another user's job and leaves it queued", async () => {
		const owner = await signUp(app);
		const stranger = await signUp(app);
		const id = await queuedJobOf(owner);
		expect(await as(app, stranger).post(`/api/jobs/${id}/cancel`)).toAnswer(404, "job.not_found");
		expect(await as(app, stranger).post(`/api/jobs/${unknownJobId}/cancel`)).toAnswer(404, "job.not_found");
		expect((await as(app, owner).get(`/api/jobs/${id}`)).json().job.state).toBe("queued");
	});

	it("lets a platform admin cancel any user's job", async () => {
		const owner = await signUp(app);
		const admin = await signUp(app, { email: adminEmail });
		const id = await queuedJobOf(owner);
		expect(await as(app, admin).post(`/api/jobs/${id}/cancel`)).toAnswer(200, "job.cancelled");
		expect((await as(app, owner).get(`/api/jobs/${id}`)).json().job.state).toBe("cancelled");
	});

	it("answers 400 TYPE_ERROR.params.jobId for an id that is not a UUID", async () => {
		const me = await signUp(app);
		expect(await as(app, me).post("/api/jobs/not-a-uuid/cancel")).toAnswer(400, "TYPE_ERROR.params.jobId");
	});

	it("answers 401 session.missing without credentials and leaves the job queued", async () => {
		const owner = await signUp(app);
		const id = await queuedJobOf(owner);
		expect(await anonymous(app).post(`/api/jobs/${id}/cancel`)).toAnswer(401, "session.missing");
		expect((await as(app, owner).get(`/api/jobs/${id}`)).json().job.state).toBe("queued");
	});
});

describe("POST /api/admin/sync/dofusdb while a sync runs", () => {
	it("answers 409 sync.already_running while the sync is active, and queues a new one once it completed", async () => {
		const admin = await signUp(app, { email: adminEmail });
		const gate = holdSync();
		const running = await startSyncAs(admin);
		await gate.reached;
		try {
			expect(await as(app, admin).post("/api/admin/sync/dofusdb")).toAnswer(409, "sync.already_running");
		} finally {
			gate.release();
		}
		await waitForJob(worker, running);
		const next = await as(app, admin).post("/api/admin/sync/dofusdb");
		expect(next).toAnswer(202, "sync.queued");
		expect(next.json().job.id).not.toBe(running);
	});
});
