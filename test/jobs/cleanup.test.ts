// The clean-up (`maintenance.cleanup`): per table, what must go and what must stay around each cut-off, sessions made
// and refreshed by the real session service; the batches; and one run through the real queue with its output.
import { randomUUID } from "node:crypto";
import { asc } from "drizzle-orm";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.js";
import type { DatabaseHandle } from "../../src/db/client.js";
import type { Database } from "../../src/db/index.js";
import {
	guildInvitations,
	jobRecords,
	loginAttempts,
	loginChallenges,
	mailOutbox,
	passwordResetTokens,
	realtimeTickets,
	refreshTokens,
	sessions,
} from "../../src/db/schema/index.js";
import { dofusDbSyncJob, maintenanceCleanupJob } from "../../src/jobs/kinds.js";
import {
	type CleanupCounts,
	type CleanupPolicy,
	cleanupPolicy,
	createCleanupService,
} from "../../src/services/cleanup.js";
import { createSessionService, type IssuedTokens, type SessionService } from "../../src/services/sessions.js";
import { identitySettings } from "../../src/services/settings.js";
import { generateToken, hashToken } from "../../src/services/tokens.js";
import { maintenanceCleanupHandler } from "../../src/workers/maintenance-cleanup.js";
import { getTestDatabaseHandle, resetTestDatabase, testJobQueueOf } from "../helpers/database.js";
import { createGuild, createUser } from "../helpers/fixtures.js";
import { testClock } from "../helpers/identity.js";
import { startTestJobQueue, waitForJob } from "../helpers/jobs.js";
import { captureLogs } from "../helpers/log-capture.js";

const minute = 60_000;
const hour = 60 * minute;
const day = 24 * hour;

const settings = identitySettings({ APP_ENV: "TEST" });
// The defaults: sessions kept 7 days after they ended, spent tokens 1 day, a 5-minute login window, mail 30 days.
const policy = cleanupPolicy(loadConfig({ APP_ENV: "TEST" }));
const none: CleanupCounts = {
	refreshTokens: 0,
	sessions: 0,
	passwordResetTokens: 0,
	loginChallenges: 0,
	loginAttempts: 0,
	guildInvitations: 0,
	realtimeTickets: 0,
	mailOutbox: 0,
	jobRecords: 0,
};

let handle: DatabaseHandle;
let db: Database;
let clock: ReturnType<typeof testClock>;
let sessionService: SessionService;
let userId: number;

beforeAll(async () => {
	handle = await getTestDatabaseHandle();
	db = handle.db;
});

beforeEach(async () => {
	await resetTestDatabase(db);
	clock = testClock();
	sessionService = createSessionService(db, settings, clock);
	userId = (await createUser(db)).id;
});

function cleanUp(overrides: Partial<CleanupPolicy> = {}): Promise<CleanupCounts> {
	return createCleanupService({ db, policy: { ...policy, ...overrides }, now: clock }).run();
}

const ago = (ms: number) => new Date(clock().getTime() - ms);
const later = (ms: number) => new Date(clock().getTime() + ms);
const tokenHash = () => hashToken(generateToken());
const login = () => sessionService.create(userId, {});

async function refreshed(tokens: IssuedTokens): Promise<IssuedTokens> {
	const rotation = await sessionService.refresh(tokens.refreshToken);
	if (rotation.status !== "rotated") throw new Error(`refresh failed: ${rotation.status}`);
	return rotation.tokens;
}

const sessionIds = async () =>
	(await db.select({ id: sessions.id }).from(sessions).orderBy(asc(sessions.id))).map((row) => row.id);

describe("sessions and refresh tokens", () => {
	it("keeps a session whose access token expired long ago but that can still be refreshed", async () => {
		const tokens = await login();
		clock.advance(20 * day);
		expect(await cleanUp()).toEqual(none);
		expect(await sessionIds()).toEqual([tokens.sessionId]);
		expect((await sessionService.refresh(tokens.refreshToken)).status).toBe("rotated");
	});

	it("deletes a session, with its refresh tokens, a week after its last refresh token expired", async () => {
		const ended = await refreshed(await login());
		clock.advance(2 * minute);
		const justNot = await login();
		// The first session's unused token expired 7 days and 1 minute ago; the second's 1 minute later.
		clock.advance(30 * day + 7 * day - minute);
		expect(await cleanUp()).toEqual({ ...none, sessions: 1, refreshTokens: 2 });
		expect(await sessionIds()).toEqual([justNot.sessionId]);
		expect(await db.select({ sessionId: refreshTokens.sessionId }).from(refreshTokens)).toEqual([
			{ sessionId: justNot.sessionId },
		]);
		expect(ended.sessionId).not.toBe(justNot.sessionId);
	});

	it("deletes a session revoked more than a week ago, keeps one revoked less than a week ago", async () => {
		const old = await login();
		const recent = await login();
		await sessionService.revoke(old.sessionId, "logout");
		clock.advance(day);
		await sessionService.revoke(recent.sessionId, "logout");
		clock.advance(6 * day + hour);
		expect(await cleanUp()).toEqual({ ...none, sessions: 1, refreshTokens: 1 });
		expect(await sessionIds()).toEqual([recent.sessionId]);
	});

	it("keeps the used refresh tokens of a live session, so a replayed old one still revokes it", async () => {
		const first = await login();
		const second = await refreshed(first);
		clock.advance(20 * day);
		const third = await refreshed(second);
		// The first two tokens expired 10 days ago (30 days after they were issued); the session lives on the third.
		clock.advance(20 * day);
		expect(await cleanUp()).toEqual(none);
		expect(await db.$count(refreshTokens)).toBe(3);
		// The owner's old copy comes back (a thief rotated past it): the session ends for everyone.
		expect((await sessionService.refresh(first.refreshToken)).status).toBe("reused");
		expect((await sessionService.refresh(third.refreshToken)).status).toBe("revoked");
		const [session] = await db.select({ reason: sessions.revokedReason }).from(sessions);
		expect(session?.reason).toBe("refresh-reuse");
	});
});

describe("single-use tokens", () => {
	it("deletes password-reset tokens used or expired more than a day ago, keeps the rest", async () => {
		await db.insert(passwordResetTokens).values([
			{ userId, tokenHash: tokenHash(), expiresAt: later(hour), usedAt: ago(day + minute) },
			{ userId, tokenHash: tokenHash(), expiresAt: ago(day + minute) },
			{ userId, tokenHash: tokenHash(), expiresAt: later(hour), usedAt: ago(day - minute) },
			{ userId, tokenHash: tokenHash(), expiresAt: ago(day - minute) },
			{ userId, tokenHash: tokenHash(), expiresAt: later(30 * minute) },
		]);
		expect(await cleanUp()).toEqual({ ...none, passwordResetTokens: 2 });
		expect(await db.$count(passwordResetTokens)).toBe(3);
	});

	it("deletes login challenges used or expired more than a day ago, keeps the rest", async () => {
		await db.insert(loginChallenges).values([
			{ userId, tokenHash: tokenHash(), expiresAt: ago(2 * day), usedAt: ago(2 * day) },
			{ userId, tokenHash: tokenHash(), expiresAt: ago(day + minute) },
			{ userId, tokenHash: tokenHash(), expiresAt: later(5 * minute), usedAt: ago(hour) },
			{ userId, tokenHash: tokenHash(), expiresAt: ago(day - minute) },
			{ userId, tokenHash: tokenHash(), expiresAt: later(5 * minute) },
		]);
		expect(await cleanUp()).toEqual({ ...none, loginChallenges: 2 });
		expect(await db.$count(loginChallenges)).toBe(3);
	});

	it("deletes invitations expired unaccepted more than a day ago, keeps accepted and pending ones", async () => {
		const { guild, leaderRole } = await createGuild(db, userId);
		const invitation = (values: Partial<typeof guildInvitations.$inferInsert>) => ({
			guildId: guild.id,
			roleId: leaderRole.id,
			email: `${randomUUID()}@example.test`,
			tokenHash: tokenHash(),
			expiresAt: later(day),
			...values,
		});
		await db
			.insert(guildInvitations)
			.values([
				invitation({ expiresAt: ago(day + minute) }),
				invitation({ expiresAt: ago(30 * day) }),
				invitation({ expiresAt: ago(day - minute) }),
				invitation({ expiresAt: ago(30 * day), acceptedAt: ago(35 * day), acceptedBy: userId }),
				invitation({ expiresAt: later(7 * day) }),
			]);
		expect(await cleanUp()).toEqual({ ...none, guildInvitations: 2 });
		expect(await db.$count(guildInvitations)).toBe(3);
	});
});

describe("login attempts", () => {
	it("deletes failed attempts older than the throttle window", async () => {
		await db.insert(loginAttempts).values([
			{ email: "a@example.test", ip: "192.0.2.1", attemptedAt: ago(policy.loginWindowMs + minute) },
			{ email: "a@example.test", ip: "192.0.2.1", attemptedAt: ago(policy.loginWindowMs + 1) },
			{ email: "a@example.test", ip: "192.0.2.1", attemptedAt: ago(policy.loginWindowMs - minute) },
			{ email: "b@example.test", ip: null, attemptedAt: ago(0) },
		]);
		expect(await cleanUp()).toEqual({ ...none, loginAttempts: 2 });
		expect(await db.$count(loginAttempts)).toBe(2);
	});

	it("deletes a backlog in batches, without skipping rows between kept ones", async () => {
		const old = ago(day);
		const fresh = ago(0);
		const pattern = [old, fresh, old, old, fresh, old, old, old, fresh];
		await db
			.insert(loginAttempts)
			.values(pattern.map((attemptedAt, index) => ({ email: `${index}@example.test`, attemptedAt })));
		expect(await cleanUp({ batchSize: 2 })).toEqual({ ...none, loginAttempts: 6 });
		expect(await db.$count(loginAttempts)).toBe(3);
	});
});

describe("mail outbox", () => {
	it("deletes mail sent more than OUTBOX_RETENTION_DAYS ago, keeps recent and unsent mail", async () => {
		const mail = (values: Partial<typeof mailOutbox.$inferInsert>) => ({
			recipient: "someone@example.test",
			kind: "password.reset",
			subject: "Subject",
			body: "Body",
			createdAt: ago(100 * day),
			...values,
		});
		await db
			.insert(mailOutbox)
			.values([
				mail({ sentAt: ago(31 * day) }),
				mail({ sentAt: ago(30 * day + minute) }),
				mail({ sentAt: ago(30 * day - minute) }),
				mail({ sentAt: null }),
				mail({ createdAt: ago(0), sentAt: ago(0) }),
			]);
		expect(await cleanUp()).toEqual({ ...none, mailOutbox: 2 });
		expect(await db.$count(mailOutbox)).toBe(3);
		expect(await cleanUp({ outboxRetentionMs: 10 * day })).toEqual({ ...none, mailOutbox: 1 });
	});
});

describe("WebSocket tickets", () => {
	it("deletes expired tickets and keeps those still usable", async () => {
		const { sessionId } = await sessionService.create(userId, {});
		const ticket = (tokenHash: string, expiresAt: Date) => ({ tokenHash, userId, sessionId, expiresAt });
		await db
			.insert(realtimeTickets)
			.values([ticket("expired", ago(minute)), ticket("usable", new Date(clock().getTime() + 30_000))]);
		expect(await cleanUp()).toEqual({ ...none, realtimeTickets: 1 });
		expect(await db.select({ tokenHash: realtimeTickets.tokenHash }).from(realtimeTickets)).toEqual([
			{ tokenHash: "usable" },
		]);
	});
});

describe("job records", () => {
	it("deletes the records whose pg-boss job is gone, keeps those of existing jobs", async () => {
		const jobId = await testJobQueueOf(db).enqueue(dofusDbSyncJob, {}, { requestedBy: userId });
		await db.insert(jobRecords).values([
			{ jobId: randomUUID(), kind: "dofusdb.sync", requestedBy: userId },
			{ jobId: randomUUID(), kind: "mail.deliver" },
		]);
		expect(await cleanUp()).toEqual({ ...none, jobRecords: 2 });
		expect(await db.select({ jobId: jobRecords.jobId }).from(jobRecords)).toEqual([{ jobId }]);
	});
});

describe("the maintenance.cleanup job", () => {
	it("runs through the queue, reports its steps, and returns and logs the counts", async () => {
		const logs = captureLogs("info");
		const worker = await startTestJobQueue(handle, [maintenanceCleanupJob], { logger: logs.logger });
		await worker.work(
			maintenanceCleanupJob,
			maintenanceCleanupHandler({ cleanup: createCleanupService({ db, policy, now: clock }) }),
		);
		await login();
		clock.advance(40 * day);
		await db.insert(loginAttempts).values({ email: "a@example.test", attemptedAt: ago(hour) });
		await db.insert(jobRecords).values({ jobId: randomUUID(), kind: "mail.deliver" });
		const expected = { ...none, sessions: 1, refreshTokens: 1, loginAttempts: 1, jobRecords: 1 };

		const id = await worker.enqueue(maintenanceCleanupJob, {});
		const job = await waitForJob(worker, id as string);
		expect(job).toMatchObject({
			state: "completed",
			output: expected,
			progress: { done: 9, total: 9, message: "done" },
		});
		const logged = logs.lines.find((line) => line.msg === "clean-up done");
		expect(logged?.deleted).toEqual(expected);
		expect(await db.$count(sessions)).toBe(0);
	});
});
