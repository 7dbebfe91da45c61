// Identity: login sessions and their rotating refresh tokens, 2FA login challenges, password resets and login attempts.
import { index, integer, pgTable, text, uniqueIndex } from "drizzle-orm/pg-core";
import { createdAt, id, timestamptz } from "./columns.js";
import { users } from "./users.js";

// Every secret below (access, refresh, challenge, reset tokens) is stored as the hex SHA-256 of a
// 256-bit random token: a leaked table gives no usable credential, and lookups stay index seeks.

export const sessions = pgTable(
	"sessions",
	{
		id: id(),
		userId: integer("user_id")
			.notNull()
			.references(() => users.id, { onDelete: "cascade" }),
		/** The one access token in force; replaced at each refresh, so the previous one stops working. */
		accessTokenHash: text("access_token_hash").notNull(),
		accessExpiresAt: timestamptz("access_expires_at").notNull(),
		userAgent: text("user_agent"),
		ip: text("ip"),
		createdAt: createdAt(),
		lastSeenAt: timestamptz("last_seen_at").notNull().defaultNow(),
		revokedAt: timestamptz("revoked_at"),
		/** Why the session ended: logout, logout-all, refresh-reuse, password-reset… (for audits). */
		revokedReason: text("revoked_reason"),
	},
	(t) => [
		uniqueIndex("sessions_access_token_hash_unique").on(t.accessTokenHash),
		index("sessions_user_idx").on(t.userId),
	],
);

/** Each refresh returns a new token and marks the old one used; presenting a used one again is theft. */
export const refreshTokens = pgTable(
	"refresh_tokens",
	{
		id: id(),
		sessionId: integer("session_id")
			.notNull()
			.references(() => sessions.id, { onDelete: "cascade" }),
		tokenHash: text("token_hash").notNull(),
		expiresAt: timestamptz("expires_at").notNull(),
		createdAt: createdAt(),
		usedAt: timestamptz("used_at"),
	},
	(t) => [
		uniqueIndex("refresh_tokens_token_hash_unique").on(t.tokenHash),
		index("refresh_tokens_session_idx").on(t.sessionId),
	],
);

/** A password was right and 2FA is on: the challenge token stands for that half-login until a TOTP code completes it. */
export const loginChallenges = pgTable(
	"login_challenges",
	{
		id: id(),
		userId: integer("user_id")
			.notNull()
			.references(() => users.id, { onDelete: "cascade" }),
		tokenHash: text("token_hash").notNull(),
		expiresAt: timestamptz("expires_at").notNull(),
		/** Wrong codes so far: past a few the challenge is burnt, so codes cannot be brute-forced. */
		failures: integer("failures").notNull().default(0),
		usedAt: timestamptz("used_at"),
		createdAt: createdAt(),
	},
	(t) => [
		uniqueIndex("login_challenges_token_hash_unique").on(t.tokenHash),
		index("login_challenges_user_idx").on(t.userId),
	],
);

export const passwordResetTokens = pgTable(
	"password_reset_tokens",
	{
		id: id(),
		userId: integer("user_id")
			.notNull()
			.references(() => users.id, { onDelete: "cascade" }),
		tokenHash: text("token_hash").notNull(),
		expiresAt: timestamptz("expires_at").notNull(),
		usedAt: timestamptz("used_at"),
		createdAt: createdAt(),
	},
	(t) => [
		uniqueIndex("password_reset_tokens_token_hash_unique").on(t.tokenHash),
		index("password_reset_tokens_user_idx").on(t.userId),
	],
);

/**
 * Failed logins, kept for the throttling window only. In the database rather than in memory so that
 * every instance behind a load balancer counts the same failures.
 */
export const loginAttempts = pgTable(
	"login_attempts",
	{
		id: id(),
		/** As typed (lowercased), whether or not an account has it: throttling must not reveal accounts. */
		email: text("email").notNull(),
		ip: text("ip"),
		attemptedAt: timestamptz("attempted_at").notNull().defaultNow(),
	},
	(t) => [
		index("login_attempts_email_idx").on(t.email, t.attemptedAt),
		index("login_attempts_ip_idx").on(t.ip, t.attemptedAt),
	],
);
