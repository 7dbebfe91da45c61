// Two-factor authentication: TOTP setup, enabling and disabling, and completing a login challenge with a code.
import { and, eq, gt, isNull, sql } from "drizzle-orm";
import { type Database, totpSecretContext } from "../db/index.js";
import { loginChallenges, users } from "../db/schema/index.js";
import { openSecret, sealSecret } from "../secrets/sealed.js";
import {
	type IssuedTokens,
	type PublicUser,
	publicUserColumns,
	type SessionMeta,
	type SessionService,
	toPublicUser,
} from "./sessions.js";
import type { Clock, IdentitySettings } from "./settings.js";
import { hashToken, looksLikeToken } from "./tokens.js";
import { generateTotpSecret, otpauthUri, verifyTotp } from "./totp.js";

export type TwoFactorChange =
	| { status: "done" }
	| { status: "already-enabled" | "not-enabled" | "not-setup" | "code-invalid" };

export type ChallengeOutcome =
	| { status: "session"; tokens: IssuedTokens; user: PublicUser }
	| { status: "challenge-invalid" | "code-invalid" };

export function createTwoFactorService(db: Database, settings: IdentitySettings, now: Clock, sessions: SessionService) {
	/*
	 * users.totp_secret holds the secret sealed (AES-256-GCM, src/secrets/sealed.ts), bound to the user's row; it is
	 * opened only to check a code. A value that cannot be opened (unknown key id, tampered) throws: a 500, never a
	 * silent refusal that would lock the user out without a trace.
	 */
	const open = (userId: number, stored: string) => openSecret(settings.secrets(), stored, totpSecretContext(userId));

	async function totpState(userId: number) {
		const [row] = await db
			.select({
				email: users.email,
				secret: users.totpSecret,
				enabledAt: users.totpEnabledAt,
				lastStep: users.totpLastStep,
			})
			.from(users)
			.where(eq(users.id, userId));
		if (row === undefined) throw new Error(`user ${userId} vanished`);
		return row;
	}

	return {
		/** A new secret, pending until `enable` proves the authenticator has it; calling again replaces it. Answered in clear this once, stored sealed. */
		async setup(
			userId: number,
		): Promise<{ status: "ready"; secret: string; otpauthUri: string } | { status: "already-enabled" }> {
			const state = await totpState(userId);
			if (state.enabledAt !== null) return { status: "already-enabled" };
			const secret = generateTotpSecret();
			await db
				.update(users)
				.set({ totpSecret: sealSecret(settings.secrets(), secret, totpSecretContext(userId)), totpLastStep: null })
				.where(eq(users.id, userId));
			return { status: "ready", secret, otpauthUri: otpauthUri(secret, state.email) };
		},

		async enable(userId: number, code: string): Promise<TwoFactorChange> {
			const state = await totpState(userId);
			if (state.enabledAt !== null) return { status: "already-enabled" };
			if (state.secret === null) return { status: "not-setup" };
			const at = now();
			const step = verifyTotp(open(userId, state.secret), code, at, state.lastStep);
			if (step === null) return { status: "code-invalid" };
			await db.update(users).set({ totpEnabledAt: at, totpLastStep: step }).where(eq(users.id, userId));
			return { status: "done" };
		},

		/** Turning 2FA off needs a current code: a stolen session alone must not be able to weaken the account. */
		async disable(userId: number, code: string): Promise<TwoFactorChange> {
			const state = await totpState(userId);
			if (state.enabledAt === null || state.secret === null) return { status: "not-enabled" };
			if (verifyTotp(open(userId, state.secret), code, now(), state.lastStep) === null)
				return { status: "code-invalid" };
			await db
				.update(users)
				.set({ totpSecret: null, totpEnabledAt: null, totpLastStep: null })
				.where(eq(users.id, userId));
			return { status: "done" };
		},

		/** Completes a password login with a TOTP code; a challenge dies after a few wrong codes or once used. */
		async verifyChallenge(challengeToken: string, code: string, meta: SessionMeta): Promise<ChallengeOutcome> {
			if (!looksLikeToken(challengeToken)) return { status: "challenge-invalid" };
			const at = now();
			const [row] = await db
				.select({
					id: loginChallenges.id,
					failures: loginChallenges.failures,
					user: { ...publicUserColumns, secret: users.totpSecret, lastStep: users.totpLastStep },
				})
				.from(loginChallenges)
				.innerJoin(users, eq(users.id, loginChallenges.userId))
				.where(
					and(
						eq(loginChallenges.tokenHash, hashToken(challengeToken)),
						isNull(loginChallenges.usedAt),
						gt(loginChallenges.expiresAt, at),
					),
				);
			if (row === undefined || row.failures >= settings.challengeMaxFailures) return { status: "challenge-invalid" };
			if (row.user.secret === null || row.user.totpEnabledAt === null) return { status: "challenge-invalid" };

			const step = verifyTotp(open(row.user.id, row.user.secret), code, at, row.user.lastStep);
			if (step === null) {
				await db
					.update(loginChallenges)
					.set({ failures: sql`${loginChallenges.failures} + 1` })
					.where(eq(loginChallenges.id, row.id));
				return { status: "code-invalid" };
			}
			// Claimed with a conditional update: two requests racing with one challenge open one session, not two.
			const claimed = await db
				.update(loginChallenges)
				.set({ usedAt: at })
				.where(and(eq(loginChallenges.id, row.id), isNull(loginChallenges.usedAt)))
				.returning({ id: loginChallenges.id });
			if (claimed.length === 0) return { status: "challenge-invalid" };
			await db.update(users).set({ totpLastStep: step }).where(eq(users.id, row.user.id));
			return { status: "session", tokens: await sessions.create(row.user.id, meta), user: toPublicUser(row.user) };
		},
	};
}

export type TwoFactorService = ReturnType<typeof createTwoFactorService>;
