// User accounts: registration, password login (throttled, constant-time on unknown emails), profile and password changes.
import { randomBytes } from "node:crypto";
import { and, eq, isNull } from "drizzle-orm";
import { mapDatabaseError } from "../db/errors.js";
import type { Database } from "../db/index.js";
import { loginChallenges, users } from "../db/schema/index.js";
import type { LoginThrottle } from "./login-throttle.js";
import { hashPassword, verifyPassword } from "./passwords.js";
import {
	type IssuedTokens,
	type PublicUser,
	publicUserColumns,
	type SessionMeta,
	type SessionService,
	toPublicUser,
} from "./sessions.js";
import type { Clock, IdentitySettings } from "./settings.js";
import { generateToken, hashToken } from "./tokens.js";

export const passwordMinLength = 12;
/** Far above any passphrase, low enough that hashing it cannot be used to burn CPU. */
export const passwordMaxLength = 1024;

/** Emails are compared and stored lowercased (users.email has a CHECK for it). */
export function normalizeEmail(email: string): string {
	return email.trim().toLowerCase();
}

/** The password policy: a problem to show the user, or null. Length ≥ 12 and not the account's email. */
export function passwordPolicyProblem(password: string, email: string): string | null {
	if ([...password].length < passwordMinLength)
		return `The password must have at least ${passwordMinLength} characters.`;
	if (password.trim().toLowerCase() === normalizeEmail(email)) return "The password must not be the email address.";
	return null;
}

export type LoginStart =
	| { status: "session"; tokens: IssuedTokens; user: PublicUser }
	| { status: "challenge"; challengeToken: string; expiresAt: Date };

export interface UserAccountServiceDependencies {
	db: Database;
	settings: IdentitySettings;
	now: Clock;
	sessions: SessionService;
	throttle: LoginThrottle;
}

export function createUserAccountService({ db, settings, now, sessions, throttle }: UserAccountServiceDependencies) {
	const hash = (password: string) => hashPassword(password, settings.passwordParams);

	// Verified when the email is unknown, so that both answers cost one scrypt run at the current parameters.
	let dummyHash: Promise<string> | undefined;
	const getDummyHash = () => (dummyHash ??= hash(randomBytes(16).toString("base64")));

	/** True when a stored hash was made with other parameters than today's: rehashed at the next successful login. */
	const isOutdated = (stored: string) =>
		!stored.startsWith(
			`scrypt$${settings.passwordParams.N}$${settings.passwordParams.r}$${settings.passwordParams.p}$`,
		);

	return {
		hash,

		async register(input: {
			email: string;
			password: string;
			displayName: string;
		}): Promise<{ status: "created"; user: PublicUser } | { status: "taken" }> {
			try {
				const [row] = await db
					.insert(users)
					.values({
						email: normalizeEmail(input.email),
						passwordHash: await hash(input.password),
						displayName: input.displayName.trim(),
					})
					.returning(publicUserColumns);
				if (row === undefined) throw new Error("user insert returned no row");
				return { status: "created", user: toPublicUser(row) };
			} catch (error) {
				// Two registrations racing past the route's check: the unique index decides.
				if (mapDatabaseError(error)?.constraint === "users_email_unique") return { status: "taken" };
				throw error;
			}
		},

		/**
		 * Checks an email and password. An unknown email still costs one scrypt verification (against a
		 * dummy hash), so the answer takes as long whether or not the account exists. Failures are counted
		 * for throttling; a success forgives the email's failures.
		 */
		async verifyCredentials(
			input: { email: string; password: string },
			ip: string | undefined,
		): Promise<(PublicUser & { passwordHash: string }) | null> {
			const email = normalizeEmail(input.email);
			const [user] = await db
				.select({ ...publicUserColumns, passwordHash: users.passwordHash })
				.from(users)
				.where(eq(users.email, email));
			const matches = await verifyPassword(input.password, user?.passwordHash ?? (await getDummyHash()));
			if (user === undefined || !matches) {
				await throttle.recordFailure(email, ip);
				return null;
			}
			await throttle.clear(email);
			if (isOutdated(user.passwordHash)) {
				await db
					.update(users)
					.set({ passwordHash: await hash(input.password) })
					.where(eq(users.id, user.id));
			}
			return { ...toPublicUser(user), passwordHash: user.passwordHash };
		},

		/** After the password: a session, or a 2FA challenge when the account has TOTP on. */
		async startLogin(user: PublicUser, meta: SessionMeta): Promise<LoginStart> {
			if (user.twoFactorEnabled) {
				const challengeToken = generateToken();
				const at = now();
				const expiresAt = new Date(at.getTime() + settings.challengeTtlMs);
				await db
					.insert(loginChallenges)
					.values({ userId: user.id, tokenHash: hashToken(challengeToken), expiresAt, createdAt: at });
				return { status: "challenge", challengeToken, expiresAt };
			}
			return { status: "session", tokens: await sessions.create(user.id, meta), user };
		},

		async findPublicUser(userId: number): Promise<PublicUser | undefined> {
			const [row] = await db.select(publicUserColumns).from(users).where(eq(users.id, userId));
			return row === undefined ? undefined : toPublicUser(row);
		},

		async updateProfile(
			userId: number,
			changes: { displayName?: string | undefined; locale?: string | undefined },
		): Promise<PublicUser> {
			const values: Partial<typeof users.$inferInsert> = {};
			if (changes.displayName !== undefined) values.displayName = changes.displayName.trim();
			if (changes.locale !== undefined) values.locale = changes.locale;
			if (Object.keys(values).length === 0) {
				const current = await this.findPublicUser(userId);
				if (current === undefined) throw new Error(`user ${userId} vanished`);
				return current;
			}
			const [row] = await db.update(users).set(values).where(eq(users.id, userId)).returning(publicUserColumns);
			if (row === undefined) throw new Error(`user ${userId} vanished`);
			return toPublicUser(row);
		},

		/** Changes the password when the current one is right, and signs out every other session. */
		async changePassword(
			userId: number,
			currentSessionId: number,
			input: { current: string; new: string },
		): Promise<{ status: "changed" } | { status: "incorrect" } | { status: "weak"; problem: string }> {
			const [user] = await db
				.select({ email: users.email, passwordHash: users.passwordHash })
				.from(users)
				.where(eq(users.id, userId));
			if (user === undefined || !(await verifyPassword(input.current, user.passwordHash)))
				return { status: "incorrect" };
			const problem = passwordPolicyProblem(input.new, user.email);
			if (problem !== null) return { status: "weak", problem };
			const passwordHash = await hash(input.new);
			await db.transaction(async (tx) => {
				await tx.update(users).set({ passwordHash }).where(eq(users.id, userId));
				await sessions.revokeAll(tx, userId, "password-changed", currentSessionId);
				// A half-done login made with the old password must not complete either.
				await tx
					.update(loginChallenges)
					.set({ usedAt: now() })
					.where(and(eq(loginChallenges.userId, userId), isNull(loginChallenges.usedAt)));
			});
			return { status: "changed" };
		},
	};
}

export type UserAccountService = ReturnType<typeof createUserAccountService>;
