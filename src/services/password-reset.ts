// Forgotten passwords: a single-use reset token mailed through the outbox, and the reset that revokes every session.
import { and, eq, isNull } from "drizzle-orm";
import type { Database } from "../db/index.js";
import { loginChallenges, passwordResetTokens, users } from "../db/schema/index.js";
import type { Mailer } from "./mail.js";
import type { SessionService } from "./sessions.js";
import type { Clock, IdentitySettings } from "./settings.js";
import { generateToken, hashToken, looksLikeToken } from "./tokens.js";
import { normalizeEmail, passwordPolicyProblem, type UserAccountService } from "./user-accounts.js";

export type ResetOutcome = { status: "done" } | { status: "invalid" | "expired" } | { status: "weak"; problem: string };

export interface PasswordResetDependencies {
	db: Database;
	settings: IdentitySettings;
	now: Clock;
	userAccounts: UserAccountService;
	sessions: SessionService;
	mailer: Mailer;
}

export function createPasswordResetService({
	db,
	settings,
	now,
	userAccounts,
	sessions,
	mailer,
}: PasswordResetDependencies) {
	return {
		/** Mails a reset token when the account exists; says nothing either way (the route always answers 202). */
		async requestReset(email: string): Promise<void> {
			const [user] = await db
				.select({ id: users.id, email: users.email })
				.from(users)
				.where(eq(users.email, normalizeEmail(email)));
			if (user === undefined) return;
			const token = generateToken();
			const at = now();
			const expiresAt = new Date(at.getTime() + settings.resetTokenTtlMs);
			await db.transaction(async (tx) => {
				await tx
					.insert(passwordResetTokens)
					.values({ userId: user.id, tokenHash: hashToken(token), expiresAt, createdAt: at });
				await mailer.send(tx, {
					recipient: user.email,
					userId: user.id,
					kind: "password.reset",
					subject: "Reset your Dofus Manager password",
					body: `Someone asked to reset the password of this account. If it was you, use this code within 30 minutes:\n\n${token}\n\nOtherwise, ignore this mail.`,
				});
			});
		},

		async reset(token: string, password: string): Promise<ResetOutcome> {
			if (!looksLikeToken(token)) return { status: "invalid" };
			const [row] = await db
				.select({
					id: passwordResetTokens.id,
					userId: passwordResetTokens.userId,
					expiresAt: passwordResetTokens.expiresAt,
					usedAt: passwordResetTokens.usedAt,
					email: users.email,
				})
				.from(passwordResetTokens)
				.innerJoin(users, eq(users.id, passwordResetTokens.userId))
				.where(eq(passwordResetTokens.tokenHash, hashToken(token)));
			if (row === undefined || row.usedAt !== null) return { status: "invalid" };
			const at = now();
			if (row.expiresAt.getTime() <= at.getTime()) return { status: "expired" };
			const problem = passwordPolicyProblem(password, row.email);
			if (problem !== null) return { status: "weak", problem };
			const passwordHash = await userAccounts.hash(password);

			return db.transaction(async (tx): Promise<ResetOutcome> => {
				// Conditional on used_at: of two concurrent resets with one token, only one goes through.
				const claimed = await tx
					.update(passwordResetTokens)
					.set({ usedAt: at })
					.where(and(eq(passwordResetTokens.id, row.id), isNull(passwordResetTokens.usedAt)))
					.returning({ id: passwordResetTokens.id });
				if (claimed.length === 0) return { status: "invalid" };
				await tx.update(users).set({ passwordHash }).where(eq(users.id, row.userId));
				// Every other outstanding reset token and half-done login dies with the old password.
				await tx
					.update(passwordResetTokens)
					.set({ usedAt: at })
					.where(and(eq(passwordResetTokens.userId, row.userId), isNull(passwordResetTokens.usedAt)));
				await tx
					.update(loginChallenges)
					.set({ usedAt: at })
					.where(and(eq(loginChallenges.userId, row.userId), isNull(loginChallenges.usedAt)));
				await sessions.revokeAll(tx, row.userId, "password-reset");
				return { status: "done" };
			});
		},
	};
}

export type PasswordResetService = ReturnType<typeof createPasswordResetService>;
