// The `mail.deliver` job end to end: a password reset through the API, its job run by a real worker, delivered to a
// real local SMTP server; retries while SMTP is down or refusing, no second send, the log transport, and the job
// committed if and only if the reset token is.
import { eq, sql } from "drizzle-orm";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.js";
import type { App } from "../../src/core/index.js";
import type { DatabaseHandle } from "../../src/db/client.js";
import { queryRows } from "../../src/db/index.js";
import { mailOutbox, passwordResetTokens } from "../../src/db/schema/index.js";
import { defineJobKind } from "../../src/jobs/job-kind.js";
import { dofusDbSyncJob, mailDeliverJob, maintenanceCleanupJob } from "../../src/jobs/kinds.js";
import type { JobQueue } from "../../src/jobs/queue.js";
import { MailDeliveryError, outboxMessageId, smtpTransport } from "../../src/services/mail-transport.js";
import { startWorkers } from "../../src/workers/index.js";
import { anonymous } from "../helpers/calls.js";
import { getTestDatabaseHandle, resetTestDatabase, testJobQueueOf } from "../helpers/database.js";
import { buildIdentityApp, lastMail, registerUser, type TestUser, tokenIn } from "../helpers/identity.js";
import { startTestJobQueue, waitForJob } from "../helpers/jobs.js";
import { type CapturedLogs, captureLogs } from "../helpers/log-capture.js";
import { startSmtpServer, type TestSmtpServer } from "../helpers/smtp-server.js";

// The real kind with retries a test can wait for: a started worker queue writes its settings to pg-boss's queue row,
// and every job enqueued afterwards (by the app's API-side queue too) takes them from there.
const quickRetryMailDeliver = defineJobKind({
	...mailDeliverJob,
	retryLimit: 2,
	retryDelaySeconds: 1,
	retryBackoff: false,
});
const workerKinds = [quickRetryMailDeliver, dofusDbSyncJob, maintenanceCleanupJob];
const mailFrom = "Dofus Manager <no-reply@dofus-manager.test>";
const smtpLogin = { user: "mailer", pass: "s3cret-smtp-pass" };

let handle: DatabaseHandle;
let app: App;
let smtp: TestSmtpServer;
/** The worker of the SMTP tests: SMTP_URL points at `smtp`, with its login. */
let worker: JobQueue;
let workerLogs: CapturedLogs;

function workerConfig(env: Record<string, string>) {
	return loadConfig({ APP_ENV: "TEST", MAIL_FROM: mailFrom, CLEANUP_CRON: "off", DOFUSDB_SYNC_CRON: "off", ...env });
}

async function startMailWorker(env: Record<string, string>, logs: CapturedLogs): Promise<JobQueue> {
	const jobs = await startTestJobQueue(handle, workerKinds, { logger: logs.logger });
	await startWorkers({ config: workerConfig(env), logger: logs.logger, database: handle, jobs });
	return jobs;
}

const forgot = (email: string) => anonymous(app).post("/api/auth/password/forgot", { email });

/** The delivery job the reset of `user` caused (the mailer records the user as its owner). */
async function mailJobOf(user: TestUser): Promise<string> {
	const { jobs } = await testJobQueueOf(handle.db).store.list({
		requestedBy: user.id,
		name: "mail.deliver",
		limit: 10,
		offset: 0,
	});
	expect(jobs).toHaveLength(1);
	return (jobs[0] as { id: string }).id;
}

async function outboxRow(id: number) {
	const [row] = await handle.db.select().from(mailOutbox).where(eq(mailOutbox.id, id));
	return row;
}

async function countRows(table: string, where = sql`true`): Promise<number> {
	const [row] = await queryRows<{ count: number }>(
		handle.db,
		sql`select count(*)::int as count from ${sql.raw(table)} where ${where}`,
	);
	return row?.count ?? -1;
}

beforeAll(async () => {
	handle = await getTestDatabaseHandle();
	smtp = await startSmtpServer({ auth: smtpLogin });
	workerLogs = captureLogs("debug");
	worker = await startMailWorker({ SMTP_URL: smtp.url }, workerLogs);
});

beforeEach(async () => {
	await resetTestDatabase(handle.db);
	smtp.received.length = 0;
	smtp.refuse(0);
	await smtp.start();
	({ app } = buildIdentityApp(handle.db));
});

describe("mail.deliver through SMTP", () => {
	it("delivers a password reset once, to its recipient, with the token, and marks the row sent", async () => {
		const user = await registerUser(app);
		expect(await forgot(user.email)).toAnswer(202, "password.reset_requested");
		const job = await waitForJob(worker, await mailJobOf(user));
		const row = await lastMail(handle.db, user.email, "password.reset");
		expect(job).toMatchObject({ state: "completed", attempts: 1, output: { outboxId: row?.id, status: "sent" } });
		expect(row?.sentAt).toBeInstanceOf(Date);

		expect(smtp.received).toHaveLength(1);
		const [message] = smtp.received;
		expect(message).toMatchObject({ from: "no-reply@dofus-manager.test", to: [user.email], user: smtpLogin.user });
		expect(message?.headers.subject).toBe("Reset your Dofus Manager password");
		expect(message?.headers["message-id"]).toBe(outboxMessageId(row as NonNullable<typeof row>, mailFrom));
		const token = tokenIn(message?.text);
		expect(token).toBe(tokenIn(row?.body));
		// The mailed token is the one that works.
		const reset = await anonymous(app).post("/api/auth/password/reset", { token, password: "a brand new passphrase" });
		expect(reset).toAnswer(204, "password.reset");
		// Neither the token nor the SMTP password reached a log line.
		expect(workerLogs.text()).toContain("mail delivered");
		expect(workerLogs.text()).not.toContain(token);
		expect(workerLogs.text()).not.toContain(smtpLogin.pass);
	});

	it("retries while the server refuses with 451, then delivers once it accepts", async () => {
		smtp.refuse(1, 451);
		const user = await registerUser(app);
		await forgot(user.email);
		const id = await mailJobOf(user);
		const retrying = await waitForJob(worker, id, ["retrying", "completed", "failed"]);
		expect(retrying.state).toBe("retrying");
		expect(retrying.error).toMatch(/451/);
		const done = await waitForJob(worker, id);
		expect(done).toMatchObject({ state: "completed", attempts: 2 });
		expect(smtp.refusals).toBe(1);
		expect(smtp.received.map((message) => message.to)).toEqual([[user.email]]);
		expect((await lastMail(handle.db, user.email, "password.reset"))?.sentAt).toBeInstanceOf(Date);
	});

	it("retries while the server is down, then delivers once it is back", async () => {
		await smtp.stop();
		const user = await registerUser(app);
		await forgot(user.email);
		const id = await mailJobOf(user);
		const retrying = await waitForJob(worker, id, ["retrying", "completed", "failed"]);
		expect(retrying.state).toBe("retrying");
		expect(retrying.error).toMatch(/ECONNREFUSED|connect/i);
		expect((await lastMail(handle.db, user.email, "password.reset"))?.sentAt).toBeNull();
		await smtp.start();
		const done = await waitForJob(worker, id);
		expect(done.state).toBe("completed");
		expect(done.attempts).toBeGreaterThanOrEqual(2);
		expect(smtp.received).toHaveLength(1);
	});

	it("fails the job with the server's reply after the last retry, and leaves the row unsent", async () => {
		smtp.refuse(Number.POSITIVE_INFINITY, 451);
		const user = await registerUser(app);
		await forgot(user.email);
		const job = await waitForJob(worker, await mailJobOf(user));
		expect(job).toMatchObject({ state: "failed", attempts: 3, maxAttempts: 3 });
		expect(job.error).toMatch(/^SMTP delivery failed: .*451/);
		expect(smtp.refusals).toBe(3);
		expect(smtp.received).toHaveLength(0);
		expect((await lastMail(handle.db, user.email, "password.reset"))?.sentAt).toBeNull();
	});

	it("fails at once, without retries, when the server refuses the recipient for good", async () => {
		smtp.refuse(Number.POSITIVE_INFINITY, 550);
		const user = await registerUser(app);
		await forgot(user.email);
		const job = await waitForJob(worker, await mailJobOf(user));
		expect(job).toMatchObject({ state: "failed", attempts: 1, maxAttempts: 3 });
		expect(job.error).toMatch(/550/);
		expect(smtp.refusals).toBe(1);
		expect((await lastMail(handle.db, user.email, "password.reset"))?.sentAt).toBeNull();
	});

	it("sends nothing when the job runs again for a row already sent", async () => {
		const user = await registerUser(app);
		await forgot(user.email);
		await waitForJob(worker, await mailJobOf(user));
		const row = await lastMail(handle.db, user.email, "password.reset");
		const sentAt = row?.sentAt;
		const again = await testJobQueueOf(handle.db).enqueue(mailDeliverJob, { outboxId: row?.id as number });
		const rerun = await waitForJob(worker, again as string);
		expect(rerun).toMatchObject({
			state: "completed",
			output: { outboxId: row?.id, status: "already-sent", sentAt: sentAt?.toISOString() },
		});
		expect(smtp.received).toHaveLength(1);
		expect((await outboxRow(row?.id as number))?.sentAt).toEqual(sentAt);
	});

	it("completes without sending when the outbox row no longer exists", async () => {
		const id = await testJobQueueOf(handle.db).enqueue(mailDeliverJob, { outboxId: 4242 });
		const job = await waitForJob(worker, id as string);
		expect(job).toMatchObject({ state: "completed", attempts: 1, output: { outboxId: 4242, status: "missing" } });
		expect(smtp.received).toHaveLength(0);
	});
});

describe("smtpTransport", () => {
	const mail = {
		id: 7,
		recipient: "someone@example.test",
		kind: "password.reset",
		subject: "Subject",
		body: "secret body",
		createdAt: new Date("2026-03-01T12:00:00.000Z"),
	};

	it("refuses a wrong login with an EAUTH error that does not hold the password", async () => {
		const wrongPassword = "not-the-right-pass";
		const transport = smtpTransport({ url: `smtp://mailer:${wrongPassword}@127.0.0.1:${smtp.port}`, from: mailFrom });
		const failure = await transport(mail, { signal: new AbortController().signal }).catch((error: unknown) => error);
		expect(failure).toBeInstanceOf(MailDeliveryError);
		expect(failure).toMatchObject({ code: "EAUTH", responseCode: 535, permanent: true });
		expect(JSON.stringify({ ...(failure as object), message: (failure as Error).message })).not.toContain(
			wrongPassword,
		);
		expect(smtp.received).toHaveLength(0);
	});

	it("gives every delivery of one outbox row the same Message-ID, and another row another one", () => {
		const first = outboxMessageId(mail, mailFrom);
		expect(first).toBe("<outbox.7.1772366400000@dofus-manager.test>");
		expect(outboxMessageId({ ...mail }, mailFrom)).toBe(first);
		expect(outboxMessageId({ ...mail, id: 8 }, mailFrom)).not.toBe(first);
	});
});

describe("transactional enqueue", () => {
	const mailJobs = sql`name = 'mail.deliver'`;

	it("commits the reset token, its outbox row and its delivery job together", async () => {
		const user = await registerUser(app);
		await forgot(user.email);
		const row = await lastMail(handle.db, user.email, "password.reset");
		expect(await countRows("password_reset_tokens", sql`user_id = ${user.id}`)).toBe(1);
		expect(await countRows("pgboss.job", sql`${mailJobs} and (data->>'outboxId')::int = ${row?.id}`)).toBe(1);
		await waitForJob(worker, await mailJobOf(user));
	});

	it("leaves no job and no outbox row when the reset token's transaction fails after the mail was queued", async () => {
		const user = await registerUser(app);
		// Fails the transaction at COMMIT, once the token, the outbox row and the job are all written in it.
		await handle.db.execute(
			sql.raw(`create function test_refuse_reset_token() returns trigger language plpgsql as $$
				begin raise exception 'reset token refused by the test'; end $$`),
		);
		await handle.db.execute(
			sql.raw(`create constraint trigger test_refuse_reset_token after insert on password_reset_tokens
				deferrable initially deferred for each row execute function test_refuse_reset_token()`),
		);
		try {
			const response = await forgot(user.email);
			expect(response.statusCode).toBe(500);
		} finally {
			await handle.db.execute(sql.raw("drop trigger test_refuse_reset_token on password_reset_tokens"));
			await handle.db.execute(sql.raw("drop function test_refuse_reset_token()"));
		}
		expect(await handle.db.select().from(passwordResetTokens)).toEqual([]);
		expect(await lastMail(handle.db, user.email, "password.reset")).toBeUndefined();
		expect(await countRows("pgboss.job", mailJobs)).toBe(0);
		expect(await countRows("job_records")).toBe(0);
		// The app still works: the next request commits all three. Its outbox row is the second one: the failed
		// transaction had written the first (sequences do not roll back), so mailer.send did run in it.
		await forgot(user.email);
		expect((await lastMail(handle.db, user.email, "password.reset"))?.id).toBe(2);
		expect(await countRows("pgboss.job", mailJobs)).toBe(1);
		await waitForJob(worker, await mailJobOf(user));
	});
});

describe("mail.deliver without SMTP_URL", () => {
	let logWorker: JobQueue;
	let logs: CapturedLogs;

	beforeAll(async () => {
		// One worker per kind at a time in this file: the SMTP one steps aside.
		await worker.stop({ timeoutMs: 2000 });
		logs = captureLogs("debug");
		logWorker = await startMailWorker({}, logs);
	});

	it("marks the row sent and logs the mail without its body", async () => {
		const user = await registerUser(app);
		await forgot(user.email);
		const job = await waitForJob(logWorker, await mailJobOf(user));
		const row = await lastMail(handle.db, user.email, "password.reset");
		expect(job).toMatchObject({ state: "completed", output: { outboxId: row?.id, status: "sent" } });
		expect(row?.sentAt).toBeInstanceOf(Date);
		const logged = logs.lines.find((line) => String(line.msg).includes("SMTP_URL is unset"));
		expect(logged).toMatchObject({
			outboxId: row?.id,
			kind: "password.reset",
			recipient: user.email,
			subject: "Reset your Dofus Manager password",
		});
		expect(logs.text()).not.toContain(tokenIn(row?.body));
		expect(logs.text()).not.toContain("Someone asked to reset");
		expect(smtp.received).toHaveLength(0);
	});
});
