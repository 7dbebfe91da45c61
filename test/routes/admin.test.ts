// Platform-admin routes: only users listed in ADMIN_EMAILS reach them (everyone else gets the unknown-path 404);
// a DofusDB sync on demand, one at a time; the queue's statistics per job kind. No worker runs here: jobs stay queued.
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { App } from "../../src/core/index.js";
import type { Database } from "../../src/db/index.js";
import { jobKinds, mailDeliverJob } from "../../src/jobs/kinds.js";
import type { JobQueue } from "../../src/jobs/queue.js";
import { anonymous, as } from "../helpers/calls.js";
import { getTestDatabase, resetTestDatabase, testJobQueueOf } from "../helpers/database.js";
import { buildIdentityApp, signUp } from "../helpers/identity.js";

let db: Database;
let app: App;
let jobs: JobQueue;

beforeAll(async () => {
	db = await getTestDatabase();
	jobs = testJobQueueOf(db);
});

beforeEach(async () => {
	await resetTestDatabase(db);
	// Listed in mixed case: an admin is recognised whatever the case of either email.
	({ app } = buildIdentityApp(db, { config: { ADMIN_EMAILS: ["Admin@Example.test"] } }));
});

const signUpAdmin = () => signUp(app, { email: "admin@example.TEST" });

/** How many jobs of a kind exist, whatever their state. */
async function jobCount(name: string) {
	return (await jobs.store.list({ name, limit: 100, offset: 0 })).total;
}

describe("POST /api/admin/sync/dofusdb", () => {
	it("queues a sync owned by the admin: 202 with the job's id and its Location", async () => {
		const admin = await signUpAdmin();
		const response = await as(app, admin).post("/api/admin/sync/dofusdb");
		expect(response).toAnswer(202, "sync.queued");
		const { id } = response.json().job;
		expect(response.headers.location).toBe(`/api/jobs/${id}`);
		const followed = await as(app, admin).get(response.headers.location as string);
		expect(followed).toAnswer(200, "job.found");
		expect(followed.json().job).toMatchObject({ id, name: "dofusdb.sync", state: "queued" });
		expect((await jobs.store.find(id))?.requestedBy).toBe(admin.id);
	});

	it("answers 409 sync.already_running while a sync is queued, and queues nothing more", async () => {
		const admin = await signUpAdmin();
		const other = await signUp(app, { email: "second-admin@example.test" });
		({ app } = buildIdentityApp(db, { config: { ADMIN_EMAILS: [admin.email, other.email] } }));
		expect(await as(app, admin).post("/api/admin/sync/dofusdb")).toAnswer(202, "sync.queued");
		expect(await as(app, other).post("/api/admin/sync/dofusdb")).toAnswer(409, "sync.already_running");
		expect(await jobCount("dofusdb.sync")).toBe(1);
	});

	it("queues a new sync once the queued one was cancelled", async () => {
		const admin = await signUpAdmin();
		const first = (await as(app, admin).post("/api/admin/sync/dofusdb")).json().job.id;
		expect(await as(app, admin).post(`/api/jobs/${first}/cancel`)).toAnswer(200, "job.cancelled");
		const second = await as(app, admin).post("/api/admin/sync/dofusdb");
		expect(second).toAnswer(202, "sync.queued");
		expect(second.json().job.id).not.toBe(first);
	});

	it("answers a user who is not an admin exactly as an unknown path, and queues nothing", async () => {
		const user = await signUp(app);
		const response = await as(app, user).post("/api/admin/sync/dofusdb");
		expect(response).toAnswer(404, "NOT_FOUND");
		const unknown = await as(app, user).post("/api/admin/sync/dofusdb-nothing");
		expect(response.json()).toEqual({
			...unknown.json(),
			message: "No route for POST /api/admin/sync/dofusdb.",
		});
		expect(unknown.json().message).toBe("No route for POST /api/admin/sync/dofusdb-nothing.");
		expect(await jobCount("dofusdb.sync")).toBe(0);
	});

	it("answers 404 to everyone when ADMIN_EMAILS is empty", async () => {
		({ app } = buildIdentityApp(db));
		const user = await signUpAdmin();
		expect(await as(app, user).post("/api/admin/sync/dofusdb")).toAnswer(404, "NOT_FOUND");
	});

	it("answers 401 session.missing without credentials", async () => {
		expect(await anonymous(app).post("/api/admin/sync/dofusdb")).toAnswer(401, "session.missing");
	});
});

describe("GET /api/admin/jobs/stats", () => {
	it("counts every job kind's jobs by state, with the oldest queued job's age", async () => {
		const admin = await signUpAdmin();
		await as(app, admin).post("/api/admin/sync/dofusdb");
		const cancelled = await jobs.enqueue(mailDeliverJob, { outboxId: 1 });
		await jobs.enqueue(mailDeliverJob, { outboxId: 2 });
		await jobs.enqueue(mailDeliverJob, { outboxId: 3 }, { startAfter: 3600 });
		await jobs.cancel(cancelled as string);
		const response = await as(app, admin).get("/api/admin/jobs/stats");
		expect(response).toAnswer(200, "job.stats");
		const kinds = response.json().kinds as { name: string; oldestQueuedSeconds: number | null }[];
		expect(kinds.map((kind) => kind.name)).toEqual(jobKinds.map((kind) => kind.name));
		const zero = { queued: 0, active: 0, retrying: 0, completed: 0, failed: 0, cancelled: 0 };
		expect(kinds).toEqual([
			{ name: "dofusdb.sync", ...zero, queued: 1, oldestQueuedSeconds: expect.any(Number) },
			// The delayed one counts as queued too.
			{ name: "mail.deliver", ...zero, queued: 2, cancelled: 1, oldestQueuedSeconds: expect.any(Number) },
			{ name: "maintenance.cleanup", ...zero, oldestQueuedSeconds: null },
			{ name: "characters.import", ...zero, oldestQueuedSeconds: null },
		]);
		for (const kind of kinds.slice(0, 2)) expect(kind.oldestQueuedSeconds).toBeGreaterThanOrEqual(0);
	});

	it("answers a user who is not an admin exactly as an unknown path", async () => {
		const user = await signUp(app);
		const response = await as(app, user).get("/api/admin/jobs/stats");
		expect(response).toAnswer(404, "NOT_FOUND");
		expect(response.json()).toEqual({ error: "NOT_FOUND", message: "No route for GET /api/admin/jobs/stats." });
	});

	it("answers 401 session.missing without credentials", async () => {
		expect(await anonymous(app).get("/api/admin/jobs/stats")).toAnswer(401, "session.missing");
	});
});
