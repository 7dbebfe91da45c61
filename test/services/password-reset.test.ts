// Forgotten passwords on the test database: the mailed single-use token, its expiry, and what a reset ends.
import { eq } from "drizzle-orm";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Database } from "../../src/db/index.js";
import {
	loginChallenges,
	mailOutbox,
	passwordResetTokens,
	sessions as sessionsTable,
} from "../../src/db/schema/index.js";
import type { IdentityServices } from "../../src/services/identity.js";
import { generateToken, hashToken } from "../../src/services/tokens.js";
import { getTestDatabase, resetTestDatabase } from "../helpers/database.js";
import { lastMail, type TestClock, testClock, testIdentityServices, tokenIn } from "../helpers/identity.js";

const minute = 60_000;
const oldPassword = "correct horse battery staple";
const newPassword = "a brand new passphrase";

let db: Database;
let clock: TestClock;
let services: IdentityServices;
let sequence = 0;

beforeAll(async () => {
	db = await getTestDatabase();
});

beforeEach(async () => {
	await resetTestDatabase(db);
	clock = testClock();
	services = testIdentityServices(db, clock);
});

async function newUser() {
	const n = ++sequence;
	const email = `reset${n}@example.test`;
	const created = await services.userAccounts.register({ email, password: oldPassword, displayName: `Player ${n}` });
	if (created.status !== "created") throw new Error("registration failed");
	return created.user;
}

/** Asks for a reset and reads the token from the mail it sent. */
async function requestToken(email: string): Promise<string> {
	await services.passwordReset.requestReset(email);
	return tokenIn((await lastMail(db, email, "password.reset"))?.body);
}

const canLogIn = async (email: string, password: string) =>
	(await services.userAccounts.verifyCredentials({ email, password }, undefined)) !== null;

describe("passwordReset.requestReset", () => {
	it("mails the account a single-use code valid 30 minutes, and stores only its hash", async () => {
		const user = await newUser();
		await services.passwordReset.requestReset(user.email);
		const mail = await lastMail(db, user.email, "password.reset");
		expect(mail).toMatchObject({
			recipient: user.email,
			userId: user.id,
			subject: "Reset your Dofus Manager password",
		});
		expect(mail?.body).toContain("within 30 minutes");
		const token = tokenIn(mail?.body);
		const [row] = await db.select().from(passwordResetTokens).where(eq(passwordResetTokens.userId, user.id));
		expect(row).toMatchObject({
			tokenHash: hashToken(token),
			expiresAt: new Date(clock().getTime() + 30 * minute),
			createdAt: clock(),
			usedAt: null,
		});
	});

	it("finds the account whatever the case and spacing of the email", async () => {
		const user = await newUser();
		await services.passwordReset.requestReset(`  ${user.email.toUpperCase()} `);
		expect(await lastMail(db, user.email, "password.reset")).toBeDefined();
	});

	it("sends nothing and stores nothing for an unknown email", async () => {
		await newUser();
		await services.passwordReset.requestReset("nobody@example.test");
		expect(await db.select().from(mailOutbox)).toEqual([]);
		expect(await db.select().from(passwordResetTokens)).toEqual([]);
	});
});

describe("passwordReset.reset", () => {
	it("sets the new password: the old one stops working", async () => {
		const user = await newUser();
		const token = await requestToken(user.email);
		expect(await services.passwordReset.reset(token, newPassword)).toEqual({ status: "done" });
		expect(await canLogIn(user.email, newPassword)).toBe(true);
		expect(await canLogIn(user.email, oldPassword)).toBe(false);
	});

	it("changes the password of that account only", async () => {
		const user = await newUser();
		const other = await newUser();
		await services.passwordReset.reset(await requestToken(user.email), newPassword);
		expect(await canLogIn(other.email, oldPassword)).toBe(true);
	});

	it("works once: the same token is refused afterwards", async () => {
		const user = await newUser();
		const token = await requestToken(user.email);
		await services.passwordReset.reset(token, newPassword);
		expect(await services.passwordReset.reset(token, "yet another passphrase")).toEqual({ status: "invalid" });
		expect(await canLogIn(user.email, newPassword)).toBe(true);
	});

	it("answers a used token invalid before it looks at its expiry or at the new password", async () => {
		const user = await newUser();
		const token = await requestToken(user.email);
		await services.passwordReset.reset(token, newPassword);
		expect(await services.passwordReset.reset(token, "short")).toEqual({ status: "invalid" });
		clock.advance(31 * minute);
		expect(await services.passwordReset.reset(token, "yet another passphrase")).toEqual({ status: "invalid" });
	});

	it("refuses something that is not a token and a token it never issued", async () => {
		const user = await newUser();
		await requestToken(user.email);
		expect(await services.passwordReset.reset("not-a-token", newPassword)).toEqual({ status: "invalid" });
		expect(await services.passwordReset.reset(generateToken(), newPassword)).toEqual({ status: "invalid" });
		expect(await canLogIn(user.email, oldPassword)).toBe(true);
	});

	it("answers expired from 30 minutes on, not a millisecond before", async () => {
		const user = await newUser();
		const early = await requestToken(user.email);
		const late = await requestToken(user.email);
		clock.advance(30 * minute - 1);
		expect(await services.passwordReset.reset(early, newPassword)).toEqual({ status: "done" });
		const third = await requestToken(user.email);
		expect(await services.passwordReset.reset(late, newPassword)).toEqual({ status: "invalid" });
		clock.advance(30 * minute);
		expect(await services.passwordReset.reset(third, "yet another passphrase")).toEqual({ status: "expired" });
		expect(await canLogIn(user.email, newPassword)).toBe(true);
	});

	it("refuses a password the policy refuses, with the problem, and keeps the token usable", async () => {
		const user = await newUser();
		const token = await requestToken(user.email);
		expect(await services.passwordReset.reset(token, "short")).toEqual({
			status: "weak",
			problem: "The password must have at least 12 characters.",
		});
		expect(await services.passwordReset.reset(token, user.email)).toEqual({
			status: "weak",
			problem: "The password must not be the email address.",
		});
		expect(await canLogIn(user.email, oldPassword)).toBe(true);
		expect(await services.passwordReset.reset(token, newPassword)).toEqual({ status: "done" });
	});

	it("spends every other outstanding reset token of the account, not other accounts' tokens", async () => {
		const user = await newUser();
		const other = await newUser();
		const first = await requestToken(user.email);
		const second = await requestToken(user.email);
		const theirs = await requestToken(other.email);
		await services.passwordReset.reset(second, newPassword);
		expect(await services.passwordReset.reset(first, "yet another passphrase")).toEqual({ status: "invalid" });
		const [spent] = await db
			.select()
			.from(passwordResetTokens)
			.where(eq(passwordResetTokens.tokenHash, hashToken(first)));
		expect(spent?.usedAt).toEqual(clock());
		expect(await services.passwordReset.reset(theirs, newPassword)).toEqual({ status: "done" });
	});

	it("signs the account out everywhere, for the reason password-reset, and leaves other accounts signed in", async () => {
		const user = await newUser();
		const other = await newUser();
		const a = await services.sessions.create(user.id, {});
		const b = await services.sessions.create(user.id, {});
		const theirs = await services.sessions.create(other.id, {});
		await services.passwordReset.reset(await requestToken(user.email), newPassword);
		for (const issued of [a, b]) {
			expect(await services.sessions.authenticate(issued.accessToken)).toEqual({ status: "revoked" });
			const [row] = await db.select().from(sessionsTable).where(eq(sessionsTable.id, issued.sessionId));
			expect(row?.revokedReason).toBe("password-reset");
		}
		expect((await services.sessions.authenticate(theirs.accessToken)).status).toBe("valid");
	});

	it("ends the account's half-done two-factor logins, not other accounts'", async () => {
		const user = await newUser();
		const other = await newUser();
		const values = (userId: number) => ({
			userId,
			tokenHash: hashToken(generateToken()),
			expiresAt: new Date(clock().getTime() + 5 * minute),
			createdAt: clock(),
		});
		await db.insert(loginChallenges).values([values(user.id), values(other.id)]);
		await services.passwordReset.reset(await requestToken(user.email), newPassword);
		const [mine] = await db.select().from(loginChallenges).where(eq(loginChallenges.userId, user.id));
		const [theirs] = await db.select().from(loginChallenges).where(eq(loginChallenges.userId, other.id));
		expect(mine?.usedAt).toEqual(clock());
		expect(theirs?.usedAt).toBeNull();
	});

	it("lets only one of two concurrent resets with one token through", async () => {
		const user = await newUser();
		const token = await requestToken(user.email);
		const outcomes = await Promise.all([
			services.passwordReset.reset(token, newPassword),
			services.passwordReset.reset(token, "yet another passphrase"),
		]);
		expect(outcomes.map((outcome) => outcome.status).sort()).toEqual(["done", "invalid"]);
	});
});
