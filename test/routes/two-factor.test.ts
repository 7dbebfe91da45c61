// 2FA: setup, enable, disable, and the two-step login with a challenge token and a TOTP code.
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import type { App } from "../../src/core/index.js";
import { type Database, queryRows } from "../../src/db/index.js";
import { sessions } from "../../src/db/schema/index.js";
import { totpCode } from "../../src/services/totp.js";
import { anonymous, as } from "../helpers/calls.js";
import {
	buildIdentityApp,
	freshAppPerTest,
	type LoggedIn,
	signUp,
	type TestClock,
	type TestUser,
} from "../helpers/identity.js";
import { captureLogs } from "../helpers/log-capture.js";

let db: Database;
let app: App;
let clock: TestClock;

freshAppPerTest((fresh) => ({ db, app, clock } = fresh));

const setup = (user: LoggedIn) => as(app, user).post("/api/auth/2fa/setup");
const enable = (user: LoggedIn, code: string) => as(app, user).post("/api/auth/2fa/enable", { code });
const login = (user: TestUser) =>
	anonymous(app).post("/api/auth/login", { email: user.email, password: user.password });
const verify = (challengeToken: string, code: string) =>
	anonymous(app).post("/api/auth/2fa/verify", { challengeToken, code });

/** A user with 2FA on; the clock is then moved past the enabling code's step so the next code is fresh. */
async function userWithTwoFactor() {
	const user = await signUp(app);
	const secret = setupSecret(await setup(user));
	expect((await enable(user, totpCode(secret, clock()))).statusCode).toBe(204);
	clock.advance(30_000);
	return { user, secret };
}

function setupSecret(response: Awaited<ReturnType<App["inject"]>>): string {
	expect(response.statusCode, response.body).toBe(200);
	return response.json().secret;
}

describe("POST /api/auth/2fa/setup", () => {
	it("answers a base32 secret and its otpauth URI", async () => {
		const user = await signUp(app);
		const response = await setup(user);
		expect(response.info).toBe("2fa.setup");
		const { secret, otpauthUri } = response.json();
		expect(secret).toMatch(/^[A-Z2-7]{32}$/);
		expect(otpauthUri).toMatch(/^otpauth:\/\/totp\/Dofus%20Manager:.*secret=/);
		expect(otpauthUri).toContain(secret);
	});

	it("answers 409 2fa.already_enabled once 2FA is on", async () => {
		const { user } = await userWithTwoFactor();
		expect((await setup(user)).info).toBe("2fa.already_enabled");
	});

	it("answers 401 without a session", async () => {
		expect((await anonymous(app).post("/api/auth/2fa/setup")).statusCode).toBe(401);
	});
});

describe("POST /api/auth/2fa/enable", () => {
	it("turns 2FA on with a right code", async () => {
		const user = await signUp(app);
		const secret = setupSecret(await setup(user));
		const response = await enable(user, totpCode(secret, clock()));
		expect(response).toAnswer(204, "2fa.enabled");
		expect((await as(app, user).get("/api/me")).json().user.twoFactorEnabled).toBe(true);
	});

	it("answers 400 2fa.code_invalid for a wrong code", async () => {
		const user = await signUp(app);
		await setup(user);
		expect((await enable(user, "000000")).info).toBe("2fa.code_invalid");
	});

	it("answers 409 2fa.not_setup before setup", async () => {
		const user = await signUp(app);
		expect((await enable(user, "123456")).info).toBe("2fa.not_setup");
	});
});

describe("login with 2FA on", () => {
	it("answers a challenge and opens no session until the code is verified", async () => {
		const { user, secret } = await userWithTwoFactor();
		const before = await db.$count(sessions);
		const response = await login(user);
		expect(response).toAnswer(200, "login.second_factor_required");
		const body = response.json();
		expect(body).toMatchObject({ secondFactorRequired: true });
		expect(body.accessToken).toBeUndefined();
		expect(response.headers["set-cookie"]).toBeUndefined();
		expect(await db.$count(sessions)).toBe(before);

		const verified = await verify(body.challengeToken, totpCode(secret, clock()));
		expect(verified).toAnswer(200, "login.success");
		expect(
			(await app.inject({ url: "/api/me", headers: { authorization: `Bearer ${verified.json().accessToken}` } }))
				.statusCode,
		).toBe(200);
	});

	it("answers 401 2fa.code_invalid for a wrong code, and burns the challenge after 5", async () => {
		const { user, secret } = await userWithTwoFactor();
		const { challengeToken } = (await login(user)).json();
		for (let attempt = 0; attempt < 5; attempt++)
			expect((await verify(challengeToken, "000000")).info).toBe("2fa.code_invalid");
		expect((await verify(challengeToken, totpCode(secret, clock()))).info).toBe("challenge.invalid");
	});

	it("refuses a code already used (no replay within its window)", async () => {
		const { user, secret } = await userWithTwoFactor();
		const code = totpCode(secret, clock());
		expect((await verify((await login(user)).json().challengeToken, code)).statusCode).toBe(200);
		expect((await verify((await login(user)).json().challengeToken, code)).info).toBe("2fa.code_invalid");
	});

	it("refuses a used or expired challenge (401 challenge.invalid)", async () => {
		const { user, secret } = await userWithTwoFactor();
		const { challengeToken } = (await login(user)).json();
		expect((await verify(challengeToken, totpCode(secret, clock()))).statusCode).toBe(200);
		expect((await verify(challengeToken, totpCode(secret, clock()))).info).toBe("challenge.invalid");
		const late = (await login(user)).json().challengeToken;
		clock.advance(5 * 60_000 + 1);
		expect((await verify(late, totpCode(secret, clock()))).info).toBe("challenge.invalid");
	});
});

describe("the TOTP secret at rest", () => {
	const storedSecret = async (userId: number) =>
		(await queryRows<{ totp_secret: string | null }>(db, sql`select totp_secret from users where id = ${userId}`))[0]
			?.totp_secret;

	it("is sealed from setup on: the column holds no plaintext, under the development key's id in TEST", async () => {
		const user = await signUp(app);
		const secret = setupSecret(await setup(user));
		const pending = await storedSecret(user.id);
		expect(pending).toMatch(/^v1:dev:/);
		expect(pending).not.toContain(secret);
		expect((await enable(user, totpCode(secret, clock()))).statusCode).toBe(204);
		const enabled = await storedSecret(user.id);
		expect(enabled).toBe(pending);
		expect(enabled?.toUpperCase()).not.toContain(secret);
	});

	it("answers 500 without the secret when the stored value was tampered with, and logs no secret", async () => {
		const { user, secret } = await userWithTwoFactor();
		const stored = (await storedSecret(user.id)) ?? "";
		const parts = stored.split(":");
		parts[4] = `${parts[4]?.startsWith("A") ? "B" : "A"}${parts[4]?.slice(1)}`;
		await db.execute(sql`update users set totp_secret = ${parts.join(":")} where id = ${user.id}`);
		const logs = captureLogs("debug");
		const watched = buildIdentityApp(db, { logger: logs.logger });
		watched.clock.advance(60_000);
		const { challengeToken } = (
			await anonymous(watched.app).post("/api/auth/login", { email: user.email, password: user.password })
		).json();
		const response = await anonymous(watched.app).post("/api/auth/2fa/verify", {
			challengeToken,
			code: totpCode(secret, watched.clock()),
		});
		expect(response.statusCode).toBe(500);
		expect(logs.text()).toContain("fails authentication");
		for (const leaked of [secret, parts[4] ?? ""]) {
			expect(response.body).not.toContain(leaked);
			expect(logs.text()).not.toContain(leaked);
		}
	});
});

describe("DELETE /api/auth/2fa", () => {
	it("turns 2FA off with a right code; login is then one step", async () => {
		const { user, secret } = await userWithTwoFactor();
		const response = await app.inject({
			method: "DELETE",
			url: "/api/auth/2fa",
			headers: user.headers,
			body: { code: totpCode(secret, clock()) },
		});
		expect(response).toAnswer(204, "2fa.disabled");
		expect((await login(user)).info).toBe("login.success");
	});

	it("answers 400 2fa.code_invalid for a wrong code and keeps 2FA on", async () => {
		const { user } = await userWithTwoFactor();
		const response = await app.inject({
			method: "DELETE",
			url: "/api/auth/2fa",
			headers: user.headers,
			body: { code: "000000" },
		});
		expect(response.info).toBe("2fa.code_invalid");
		expect((await login(user)).info).toBe("login.second_factor_required");
	});

	it("answers 409 2fa.not_enabled when 2FA is off", async () => {
		const user = await signUp(app);
		expect(
			(await app.inject({ method: "DELETE", url: "/api/auth/2fa", headers: user.headers, body: { code: "123456" } }))
				.info,
		).toBe("2fa.not_enabled");
	});
});
