// Password routes: forgotten password through the mail outbox, reset (single use, 30 minutes), and change while signed in.
import { describe, expect, it } from "vitest";
import type { App } from "../../src/core/index.js";
import type { Database } from "../../src/db/index.js";
import { anonymous, as } from "../helpers/calls.js";
import { freshAppPerTest, lastMail, loginAs, signUp, type TestClock, tokenIn } from "../helpers/identity.js";

let db: Database;
let app: App;
let clock: TestClock;

freshAppPerTest((fresh) => ({ db, app, clock } = fresh));

const forgot = (email: string) => anonymous(app).post("/api/auth/password/forgot", { email });
const reset = (token: string, password: string) => anonymous(app).post("/api/auth/password/reset", { token, password });
const newPassword = "a brand new passphrase";

async function resetTokenFor(email: string): Promise<string> {
	await forgot(email);
	return tokenIn((await lastMail(db, email, "password.reset"))?.body);
}

describe("POST /api/auth/password/forgot", () => {
	it("answers 202 and writes a reset mail to the outbox", async () => {
		const user = await signUp(app);
		const response = await forgot(user.email);
		expect(response).toAnswer(202, "password.reset_requested");
		const mail = await lastMail(db, user.email, "password.reset");
		expect(tokenIn(mail?.body)).toMatch(/^[A-Za-z0-9_-]{43}$/);
		expect(response.body).not.toContain(tokenIn(mail?.body));
	});

	it("answers the same 202 for an unknown email, and sends nothing", async () => {
		const response = await forgot("nobody@example.test");
		expect(response).toAnswer(202, "password.reset_requested");
		expect(await lastMail(db, "nobody@example.test", "password.reset")).toBeUndefined();
	});
});

describe("POST /api/auth/password/reset", () => {
	it("sets the new password (204) and revokes every session", async () => {
		const user = await signUp(app);
		const token = await resetTokenFor(user.email);
		const response = await reset(token, newPassword);
		expect(response).toAnswer(204, "password.reset");
		expect((await as(app, user).get("/api/me")).info).toBe("session.revoked");
		await loginAs(app, { email: user.email, password: newPassword });
		const old = await anonymous(app).post("/api/auth/login", { email: user.email, password: user.password });
		expect(old.statusCode).toBe(401);
	});

	it("accepts a token once only", async () => {
		const user = await signUp(app);
		const token = await resetTokenFor(user.email);
		await reset(token, newPassword);
		const again = await reset(token, "yet another passphrase");
		expect(again).toAnswer(400, "reset.invalid");
	});

	it("refuses a token older than 30 minutes (400 reset.expired)", async () => {
		const user = await signUp(app);
		const token = await resetTokenFor(user.email);
		clock.advance(30 * 60_000 + 1);
		const response = await reset(token, newPassword);
		expect(response).toAnswer(400, "reset.expired");
	});

	it("refuses an unknown token (400 reset.invalid)", async () => {
		expect((await reset("B".repeat(43), newPassword)).info).toBe("reset.invalid");
	});

	it("applies the password policy (400 password.weak) and keeps the token usable", async () => {
		const user = await signUp(app);
		const token = await resetTokenFor(user.email);
		expect((await reset(token, "short")).info).toBe("password.weak");
		expect((await reset(token, newPassword)).statusCode).toBe(204);
	});
});

describe("POST /api/me/password", () => {
	const change = (headers: Record<string, string>, current: string, next: string) =>
		app.inject({ method: "POST", url: "/api/me/password", headers, body: { current, new: next } });

	it("changes the password, keeps this session and revokes the others", async () => {
		const user = await signUp(app);
		const other = await loginAs(app, user);
		const response = await change(user.headers, user.password, newPassword);
		expect(response).toAnswer(204, "password.changed");
		expect((await as(app, user).get("/api/me")).statusCode).toBe(200);
		expect((await as(app, other).get("/api/me")).info).toBe("session.revoked");
		await loginAs(app, { email: user.email, password: newPassword });
	});

	it("answers 403 password.incorrect for a wrong current password", async () => {
		const user = await signUp(app);
		expect((await change(user.headers, "not my password", newPassword)).info).toBe("password.incorrect");
	});

	it("answers 400 password.weak for a new password equal to the email", async () => {
		const user = await signUp(app);
		expect((await change(user.headers, user.password, user.email)).info).toBe("password.weak");
	});

	it("answers 401 without a session", async () => {
		expect((await anonymous(app).post("/api/me/password", { current: "x", new: newPassword })).statusCode).toBe(401);
	});
});
