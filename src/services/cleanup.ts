// The hourly clean-up: deletes what can no longer be used (ended sessions, spent tokens, old login attempts, expired
// WebSocket tickets, sent mail past its retention, job records whose job pg-boss dropped), in small batches, and counts what it deleted.
import { and, gt, inArray, isNull, lt, notExists, or, type SQL, sql } from "drizzle-orm";
import type { PgColumn, PgTable } from "drizzle-orm/pg-core";
import type { Config } from "../config.js";
import type { Database } from "../db/index.js";
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
} from "../db/schema/index.js";
import type { Clock } from "./settings.js";

export interface CleanupPolicy {
	/**
	 * How long a session is kept after it ended (revoked, or neither usable nor refreshable). While it stays, a late
	 * client is told `expired` or `revoked` rather than `invalid`, and a theft (revoked_reason `refresh-reuse`) can
	 * still be looked into.
	 */
	endedSessionRetentionMs: number;
	/** How long used or expired password-reset tokens, login challenges and unaccepted invitations are kept. */
	spentTokenRetentionMs: number;
	/** The login throttle's window: older failed attempts no longer count. */
	loginWindowMs: number;
	/** Sent mail is kept this long after it was sent. */
	outboxRetentionMs: number;
	/** Rows per DELETE: a backlog is removed by many short statements, never one long lock. */
	batchSize: number;
}

const day = 24 * 3600 * 1000;

export function cleanupPolicy(config: Pick<Config, "OUTBOX_RETENTION_DAYS" | "LOGIN_WINDOW_SECONDS">): CleanupPolicy {
	return {
		endedSessionRetentionMs: 7 * day,
		spentTokenRetentionMs: day,
		loginWindowMs: config.LOGIN_WINDOW_SECONDS * 1000,
		outboxRetentionMs: config.OUTBOX_RETENTION_DAYS * day,
		batchSize: 1000,
	};
}

/** Rows deleted per table, in the order they are cleaned. */
export interface CleanupCounts {
	refreshTokens: number;
	sessions: number;
	passwordResetTokens: number;
	loginChallenges: number;
	loginAttempts: number;
	guildInvitations: number;
	realtimeTickets: number;
	mailOutbox: number;
	jobRecords: number;
}

export interface CleanupRunOptions {
	/** Checked between batches: a stopping worker or an expired run ends the clean-up between two statements. */
	signal?: AbortSignal;
	/** Called before each table, with how many are done out of how many. */
	onStep?: (done: number, total: number, table: keyof CleanupCounts) => Promise<void> | void;
}

export function createCleanupService({ db, policy, now }: { db: Database; policy: CleanupPolicy; now: Clock }) {
	/**
	 * Deletes the rows `where` matches, `batchSize` at a time, walking the key upwards: each batch starts where the
	 * previous one stopped, so rows that stay are read once rather than once per batch.
	 */
	async function deleteInBatches(
		table: PgTable,
		key: PgColumn,
		where: SQL | undefined,
		signal: AbortSignal | undefined,
	): Promise<number> {
		let deleted = 0;
		let after: number | string | undefined;
		for (;;) {
			signal?.throwIfAborted();
			const batch = db
				.select({ key })
				.from(table)
				.where(and(where, after === undefined ? undefined : gt(key, after)))
				.orderBy(key)
				.limit(policy.batchSize);
			const rows = (await db.delete(table).where(inArray(key, batch)).returning({ key })) as {
				key: number | string;
			}[];
			deleted += rows.length;
			if (rows.length < policy.batchSize) return deleted;
			// Integer ids and lower-case UUID text both sort in JavaScript as PostgreSQL sorts them.
			for (const row of rows) if (after === undefined || row.key > after) after = row.key;
		}
	}

	return {
		async run(options: CleanupRunOptions = {}): Promise<CleanupCounts> {
			const at = now().getTime();
			const sessionCutoff = new Date(at - policy.endedSessionRetentionMs);
			const tokenCutoff = new Date(at - policy.spentTokenRetentionMs);

			// A session ended when it was revoked, or when its access token expired and it has no unused refresh token
			// left in force (each refresh marks the token used and issues a new one). One whose access token expired but
			// that can still be refreshed is alive: the client will refresh it.
			const refreshable = db
				.select({ one: sql`1` })
				.from(refreshTokens)
				.where(
					and(
						sql`${refreshTokens.sessionId} = ${sessions.id}`,
						isNull(refreshTokens.usedAt),
						gt(refreshTokens.expiresAt, sessionCutoff),
					),
				);
			const endedSessions = or(
				lt(sessions.revokedAt, sessionCutoff),
				and(lt(sessions.accessExpiresAt, sessionCutoff), notExists(refreshable)),
			);

			const steps: [keyof CleanupCounts, PgTable, PgColumn, SQL | undefined][] = [
				// Refresh tokens go only with their session. A used token is what catches a thief: presented again, it
				// revokes the session (sessions.ts, `refresh`), and the owner's copy may come back long after the thief
				// rotated it. Deleting it while the session lives would turn that alarm into a plain `invalid` and leave the
				// thief in. Deleted here rather than by the cascade so that they are counted and batched.
				[
					"refreshTokens",
					refreshTokens,
					refreshTokens.id,
					inArray(refreshTokens.sessionId, db.select({ id: sessions.id }).from(sessions).where(endedSessions)),
				],
				["sessions", sessions, sessions.id, endedSessions],
				[
					"passwordResetTokens",
					passwordResetTokens,
					passwordResetTokens.id,
					or(lt(passwordResetTokens.usedAt, tokenCutoff), lt(passwordResetTokens.expiresAt, tokenCutoff)),
				],
				[
					"loginChallenges",
					loginChallenges,
					loginChallenges.id,
					or(lt(loginChallenges.usedAt, tokenCutoff), lt(loginChallenges.expiresAt, tokenCutoff)),
				],
				[
					"loginAttempts",
					loginAttempts,
					loginAttempts.id,
					lt(loginAttempts.attemptedAt, new Date(at - policy.loginWindowMs)),
				],
				// Accepted invitations stay: they record who invited whom (the membership itself is guild_members).
				[
					"guildInvitations",
					guildInvitations,
					guildInvitations.id,
					and(isNull(guildInvitations.acceptedAt), lt(guildInvitations.expiresAt, tokenCutoff)),
				],
				// A WebSocket ticket lives 30 s and is never looked at once expired.
				["realtimeTickets", realtimeTickets, realtimeTickets.id, lt(realtimeTickets.expiresAt, new Date(at))],
				// Unsent rows stay whatever their age: they are deliveries still to come, or failed ones to look into.
				["mailOutbox", mailOutbox, mailOutbox.id, lt(mailOutbox.sentAt, new Date(at - policy.outboxRetentionMs))],
				// A record is written with its job, in one transaction, so one without a job is one pg-boss has deleted.
				// pg-boss keys its jobs by (name, id), one partition per name: the kind makes the lookup an index seek.
				[
					"jobRecords",
					jobRecords,
					jobRecords.jobId,
					sql`not exists (select 1 from pgboss.job j where j.name = ${jobRecords.kind} and j.id = ${jobRecords.jobId})`,
				],
			];

			const counts = {} as CleanupCounts;
			for (const [index, [name, table, key, where]] of steps.entries()) {
				await options.onStep?.(index, steps.length, name);
				counts[name] = await deleteInBatches(table, key, where, options.signal);
			}
			return counts;
		},
	};
}

export type CleanupService = ReturnType<typeof createCleanupService>;
