// Login sessions: issuing access + refresh tokens, resolving an access token, rotating refresh tokens, revoking.
import { and, desc, eq, exists, gt, isNull, ne, or, sql } from "drizzle-orm";
import { type Database, type Executor, hotQueries } from "../db/index.js";
import { refreshTokens, sessions, users } from "../db/schema/index.js";
import type { Clock, IdentitySettings } from "./settings.js";
import { generateToken, hashToken, looksLikeToken } from "./tokens.js";

/** What a response may show of a user: never the password hash or the TOTP secret. */
export interface PublicUser {
	id: number;
	email: string;
	displayName: string;
	locale: string;
	twoFactorEnabled: boolean;
	createdAt: Date;
}

export interface CurrentSession {
	id: number;
	userId: number;
	accessExpiresAt: Date;
	createdAt: Date;
}

export interface SessionMeta {
	userAgent?: string | undefined;
	ip?: string | undefined;
}

export interface IssuedTokens {
	sessionId: number;
	accessToken: string;
	refreshToken: string;
	/** When the access token stops working. */
	expiresAt: Date;
	refreshExpiresAt: Date;
}

export type Authentication =
	| { status: "valid"; session: CurrentSession; user: PublicUser }
	| { status: "invalid" | "expired" | "revoked" };

export type Rotation =
	| { status: "rotated"; tokens: IssuedTokens; userId: number }
	| { status: "invalid" | "expired" | "revoked" | "reused" };

export type RevokeReason =
	| "logout"
	| "logout-all"
	| "user-revoked"
	| "refresh-reuse"
	| "password-reset"
	| "password-changed";

/** Columns of `users` that make a PublicUser: reused by every query that answers a user. */
export const publicUserColumns = {
	id: users.id,
	email: users.email,
	displayName: users.displayName,
	locale: users.locale,
	totpEnabledAt: users.totpEnabledAt,
	createdAt: users.createdAt,
};

export function toPublicUser(row: {
	id: number;
	email: string;
	displayName: string;
	locale: string;
	totpEnabledAt: Date | null;
	createdAt: Date;
}): PublicUser {
	return {
		id: row.id,
		email: row.email,
		displayName: row.displayName,
		locale: row.locale,
		twoFactorEnabled: row.totpEnabledAt !== null,
		createdAt: row.createdAt,
	};
}

// Writing last_seen_at on every request would turn each read into a write; a minute's precision is enough for "last seen".
const lastSeenPrecisionMs = 60_000;

export function createSessionService(db: Database, settings: IdentitySettings, now: Clock) {
	async function insertRefreshToken(
		tx: Executor,
		sessionId: number,
		at: Date,
	): Promise<{ token: string; expiresAt: Date }> {
		const token = generateToken();
		const expiresAt = new Date(at.getTime() + settings.refreshTokenTtlMs);
		await tx.insert(refreshTokens).values({ sessionId, tokenHash: hashToken(token), expiresAt, createdAt: at });
		return { token, expiresAt };
	}

	async function revoke(executor: Executor, sessionId: number, reason: RevokeReason): Promise<void> {
		await executor
			.update(sessions)
			.set({ revokedAt: now(), revokedReason: reason })
			.where(and(eq(sessions.id, sessionId), isNull(sessions.revokedAt)));
	}

	return {
		/** Opens a session after a complete login (password, and TOTP when enabled). */
		async create(userId: number, meta: SessionMeta): Promise<IssuedTokens> {
			const at = now();
			const accessToken = generateToken();
			const expiresAt = new Date(at.getTime() + settings.accessTokenTtlMs);
			return db.transaction(async (tx) => {
				const [session] = await tx
					.insert(sessions)
					.values({
						userId,
						accessTokenHash: hashToken(accessToken),
						accessExpiresAt: expiresAt,
						userAgent: meta.userAgent?.slice(0, 512) ?? null,
						ip: meta.ip ?? null,
						createdAt: at,
						lastSeenAt: at,
					})
					.returning({ id: sessions.id });
				// Stryker disable next-line ConditionalExpression,StringLiteral: insert … returning always answers the row it inserted
				if (session === undefined) throw new Error("session insert returned no row");
				const refresh = await insertRefreshToken(tx, session.id, at);
				return {
					sessionId: session.id,
					accessToken,
					refreshToken: refresh.token,
					expiresAt,
					refreshExpiresAt: refresh.expiresAt,
				};
			});
		},

		/** Resolves an access token; a revoked session is refused at once since every request reads the row. */
		async authenticate(accessToken: string): Promise<Authentication> {
			if (!looksLikeToken(accessToken)) return { status: "invalid" };
			// A named prepared statement: on PostgreSQL the plan is kept per connection (every protected request runs it).
			const [row] = await hotQueries(db).sessionByAccessTokenHash.execute({ hash: hashToken(accessToken) });
			if (row === undefined) return { status: "invalid" };
			if (row.session.revokedAt !== null) return { status: "revoked" };
			const at = now();
			if (row.session.accessExpiresAt.getTime() <= at.getTime()) return { status: "expired" };
			if (at.getTime() - row.session.lastSeenAt.getTime() >= lastSeenPrecisionMs) {
				await db.update(sessions).set({ lastSeenAt: at }).where(eq(sessions.id, row.session.id));
			}
			const { id, userId, accessExpiresAt, createdAt } = row.session;
			return { status: "valid", session: { id, userId, accessExpiresAt, createdAt }, user: toPublicUser(row.user) };
		},

		/**
		 * Trades a refresh token for a new pair; the old access token stops working. A refresh token that was
		 * already used means it was copied: the whole session is revoked, for the thief and the owner alike.
		 */
		async refresh(refreshToken: string): Promise<Rotation> {
			if (!looksLikeToken(refreshToken)) return { status: "invalid" };
			const outcome = await db.transaction(
				async (tx): Promise<Rotation | { status: "reuse-detected"; sessionId: number }> => {
					// The row lock makes two concurrent refreshes with one token run one after the other: the second sees it used.
					const [row] = await tx
						.select({
							id: refreshTokens.id,
							sessionId: refreshTokens.sessionId,
							expiresAt: refreshTokens.expiresAt,
							usedAt: refreshTokens.usedAt,
							revokedAt: sessions.revokedAt,
							userId: sessions.userId,
						})
						.from(refreshTokens)
						.innerJoin(sessions, eq(sessions.id, refreshTokens.sessionId))
						.where(eq(refreshTokens.tokenHash, hashToken(refreshToken)))
						.for("update", { of: refreshTokens });
					if (row === undefined) return { status: "invalid" };
					if (row.usedAt !== null) return { status: "reuse-detected", sessionId: row.sessionId };
					if (row.revokedAt !== null) return { status: "revoked" };
					const at = now();
					if (row.expiresAt.getTime() <= at.getTime()) return { status: "expired" };

					await tx.update(refreshTokens).set({ usedAt: at }).where(eq(refreshTokens.id, row.id));
					const accessToken = generateToken();
					const expiresAt = new Date(at.getTime() + settings.accessTokenTtlMs);
					await tx
						.update(sessions)
						.set({ accessTokenHash: hashToken(accessToken), accessExpiresAt: expiresAt, lastSeenAt: at })
						.where(eq(sessions.id, row.sessionId));
					const refresh = await insertRefreshToken(tx, row.sessionId, at);
					return {
						status: "rotated",
						userId: row.userId,
						tokens: {
							sessionId: row.sessionId,
							accessToken,
							refreshToken: refresh.token,
							expiresAt,
							refreshExpiresAt: refresh.expiresAt,
						},
					};
				},
			);
			// Revoked outside the transaction above so that nothing can roll it back.
			if (outcome.status === "reuse-detected") {
				await revoke(db, outcome.sessionId, "refresh-reuse");
				return { status: "reused" };
			}
			return outcome;
		},

		revoke: (sessionId: number, reason: RevokeReason) => revoke(db, sessionId, reason),

		/** Revokes one of the user's sessions; false when the user has no such live session (someone else's included). */
		async revokeOwn(userId: number, sessionId: number): Promise<boolean> {
			const revoked = await db
				.update(sessions)
				.set({ revokedAt: now(), revokedReason: "user-revoked" })
				.where(and(eq(sessions.id, sessionId), eq(sessions.userId, userId), isNull(sessions.revokedAt)))
				.returning({ id: sessions.id });
			return revoked.length > 0;
		},

		/** Revokes every live session of the user, but `exceptSessionId` when given (the one changing the password). */
		async revokeAll(
			executor: Executor,
			userId: number,
			reason: RevokeReason,
			exceptSessionId?: number,
		): Promise<number> {
			const revoked = await executor
				.update(sessions)
				.set({ revokedAt: now(), revokedReason: reason })
				.where(
					and(
						eq(sessions.userId, userId),
						isNull(sessions.revokedAt),
						exceptSessionId === undefined ? undefined : ne(sessions.id, exceptSessionId),
					),
				)
				.returning({ id: sessions.id });
			return revoked.length;
		},

		/** The user's live sessions: not revoked, and still usable now or after a refresh. */
		async listForUser(userId: number) {
			const at = now();
			const refreshable = db
				.select({ one: sql`1` })
				.from(refreshTokens)
				.where(
					and(eq(refreshTokens.sessionId, sessions.id), isNull(refreshTokens.usedAt), gt(refreshTokens.expiresAt, at)),
				);
			return db
				.select({
					id: sessions.id,
					device: sessions.userAgent,
					ip: sessions.ip,
					createdAt: sessions.createdAt,
					lastSeenAt: sessions.lastSeenAt,
				})
				.from(sessions)
				.where(
					and(
						eq(sessions.userId, userId),
						isNull(sessions.revokedAt),
						or(gt(sessions.accessExpiresAt, at), exists(refreshable)),
					),
				)
				.orderBy(desc(sessions.lastSeenAt), desc(sessions.id));
		},
	};
}

export type SessionService = ReturnType<typeof createSessionService>;
