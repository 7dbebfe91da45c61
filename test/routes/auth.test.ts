// Registration, login (throttling, equal timing), refresh rotation with reuse detection, and the `session` cookie.
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import type { App } from "../../src/core/index.js";
import type { Database } from "../../src/db/index.js";
import { refreshTokens, sessions, users } from "../../src/db/schema/index.js";
import { hashToken } from "../../src/services/tokens.js";
import { anonymous, as } from "../helpers/calls.js";
import {
	bearer,
	buildIdentityApp,
	defaultPassword,
	freshAppPerTest,
	loginAs,
	registerUser,
	signUp,
	type TestClock,
} from "../helpers/identity.js";

let db: Database;
let app: App;
let clock: TestClock;

freshAppPerTest((fresh) => ({ db, app, clock } = fresh));

const login = (body: unknown, remoteAddress?: string) =>
	app.inject({
		method: "POST",
		url: "/api/auth/login",
		body,
		...(remoteAddress === undefined ? {} : { remoteAddress }),
	});

describe("POST /api/auth/register", () => {
	it("creates the account and answers 201 user.registered without any secret", async () => {
		const response = await anonymous(app).post("/api/auth/register", {
			email: "Iop@Example.test",
			password: defaultPassword,
			displayName: "Iop",
		});
		expect(response.statusCode).toBe(201);
		expect(response.info).toBe("user.registered");
		expect(response.json().user).toMatchObject({
			email: "iop@example.test",
			displayName: "Iop",
			twoFactorEnabled: false,
		});
		expect(response.body).not.toMatch(/password|hash|scrypt/i);
	});

	it("stores an scrypt hash, never the password", async () => {
		const user = await registerUser(app);
		const [row] = await db.select().from(users).where(eq(users.id, user.id));
		expect(row?.passwordHash).toMatch(/^scrypt\$/);
		expect(row?.passwordHash).not.toContain(user.password);
	});

	it("answers 409 email.taken for an email already used, whatever its case", async () => {
		await registerUser(app, { email: "cra@example.test" });
		const response = await anonymous(app).post("/api/auth/register", {
			email: "CRA@example.test",
			password: defaultPassword,
			displayName: "Cra",
		});
		expect([response.statusCode, response.info, response.json().error]).toEqual([409, "email.taken", "email.taken"]);
	});

	it("answers 400 password.weak for a password shorter than 12 characters", async () => {
		const response = await anonymous(app).post("/api/auth/register", {
			email: "a@example.test",
			password: "short pass",
			displayName: "A",
		});
		expect(response).toAnswer(400, "password.weak");
	});

	it("answers 400 password.weak for a password equal to the email", async () => {
		const response = await anonymous(app).post("/api/auth/register", {
			email: "long.name@example.test",
			password: "Long.Name@example.test",
			displayName: "A",
		});
		expect(response).toAnswer(400, "password.weak");
	});

	it("answers 400 TYPE_ERROR for an invalid email", async () => {
		const response = await anonymous(app).post("/api/auth/register", {
			email: "nope",
			password: defaultPassword,
			displayName: "A",
		});
		expect(response).toAnswer(400, "TYPE_ERROR.body.email");
	});
});

describe("POST /api/auth/login", () => {
	it("answers tokens, their expiry and the user, and sets an HttpOnly SameSite=Lax session cookie", async () => {
		const user = await registerUser(app);
		const response = await login({ email: user.email, password: user.password });
		expect(response).toAnswer(200, "login.success");
		const body = response.json();
		expect(body.accessToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
		expect(body.refreshToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
		expect(body.accessToken).not.toBe(body.refreshToken);
		expect(new Date(body.expiresAt).getTime() - clock().getTime()).toBe(15 * 60_000);
		expect(body.user).toMatchObject({ id: user.id, email: user.email });
		const cookie = String([response.headers["set-cookie"]].flat()[0]);
		expect(cookie).toContain(`session=${body.accessToken}`);
		expect(cookie).toMatch(/HttpOnly/);
		expect(cookie).toMatch(/SameSite=Lax/);
		expect(cookie).not.toMatch(/Secure/);
	});

	it("marks the cookie Secure in PROD", async () => {
		const prod = buildIdentityApp(db, { config: { APP_ENV: "PROD", PASSWORD_HASH_COST: 10 } }).app;
		const user = await registerUser(prod);
		const response = await prod.inject({
			method: "POST",
			url: "/api/auth/login",
			body: { email: user.email, password: user.password },
		});
		expect(String([response.headers["set-cookie"]].flat()[0])).toMatch(/; Secure/);
	});

	it("stores only hashes of the tokens it hands out", async () => {
		const user = await signUp(app);
		const [session] = await db.select().from(sessions);
		const [refresh] = await db.select().from(refreshTokens);
		expect(session?.accessTokenHash).toBe(hashToken(user.accessToken));
		expect(refresh?.tokenHash).toBe(hashToken(user.refreshToken));
		expect(JSON.stringify([session, refresh])).not.toContain(user.accessToken);
	});

	it("answers 401 credentials.invalid for a wrong password", async () => {
		const user = await registerUser(app);
		const response = await login({ email: user.email, password: "wrong password!" });
		expect([response.statusCode, response.info, response.json().error]).toEqual([
			401,
			"credentials.invalid",
			"credentials.invalid",
		]);
	});

	it("answers the same 401 for an unknown email", async () => {
		const response = await login({ email: "nobody@example.test", password: defaultPassword });
		expect(response).toAnswer(401, "credentials.invalid");
	});

	it("takes as long for an unknown email as for a wrong password (a dummy hash is verified)", async () => {
		// A cost where scrypt dominates the request, so skipping it would show.
		const slow = buildIdentityApp(db, { config: { PASSWORD_HASH_COST: 15 } }).app;
		const user = await registerUser(slow);
		const time = async (email: string) => {
			const started = performance.now();
			await slow.inject({
				method: "POST",
				url: "/api/auth/login",
				body: { email, password: "wrong password!" },
				remoteAddress: `10.0.0.${Math.floor(Math.random() * 200)}`,
			});
			return performance.now() - started;
		};
		const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
		await time("warm-up@example.test");
		const known: number[] = [];
		const unknown: number[] = [];
		for (let round = 0; round < 5; round++) {
			known.push(await time(user.email));
			unknown.push(await time(`ghost${round}@example.test`));
		}
		expect(median(unknown)).toBeGreaterThan(median(known) * 0.5);
		expect(median(unknown)).toBeLessThan(median(known) * 2);
		// Eleven scrypt runs at cost 15: on a loaded machine they outlast the default 20 s.
	}, 90_000);

	it("answers 429 login.throttled with Retry-After after 10 failures for one email in 5 minutes", async () => {
		const user = await registerUser(app);
		for (let attempt = 0; attempt < 10; attempt++) {
			expect((await login({ email: user.email, password: "wrong password!" }, `10.1.0.${attempt}`)).statusCode).toBe(
				401,
			);
		}
		const refused = await login({ email: user.email, password: user.password }, "10.1.0.99");
		expect(refused).toAnswer(429, "login.throttled");
		expect(Number(refused.headers["retry-after"])).toBe(300);
	});

	it("throttles one IP trying many emails", async () => {
		for (let attempt = 0; attempt < 10; attempt++)
			await login({ email: `guess${attempt}@example.test`, password: "wrong password!" }, "10.2.0.1");
		const refused = await login({ email: "another@example.test", password: "wrong password!" }, "10.2.0.1");
		expect(refused).toAnswer(429, "login.throttled");
	});

	it("lets the email log in again once the failures leave the window", async () => {
		const user = await registerUser(app);
		for (let attempt = 0; attempt < 10; attempt++)
			await login({ email: user.email, password: "wrong password!" }, `10.3.0.${attempt}`);
		clock.advance(5 * 60_000 + 1000);
		expect((await login({ email: user.email, password: user.password }, "10.3.0.99")).statusCode).toBe(200);
	});
});

describe("POST /api/auth/refresh", () => {
	const refresh = (refreshToken: string) => anonymous(app).post("/api/auth/refresh", { refreshToken });

	it("answers a new pair and revokes the old one", async () => {
		const user = await signUp(app);
		const response = await refresh(user.refreshToken);
		expect(response).toAnswer(200, "session.refreshed");
		const body = response.json();
		expect(body.accessToken).not.toBe(user.accessToken);
		expect(body.refreshToken).not.toBe(user.refreshToken);
		expect((await app.inject({ url: "/api/me", headers: bearer(body.accessToken) })).statusCode).toBe(200);
		expect((await as(app, user).get("/api/me")).statusCode).toBe(401);
	});

	it("revokes the whole session when a refresh token is used twice (401 refresh.reused)", async () => {
		const user = await signUp(app);
		const rotated = (await refresh(user.refreshToken)).json();
		const reused = await refresh(user.refreshToken);
		expect(reused).toAnswer(401, "refresh.reused");
		const me = await app.inject({ url: "/api/me", headers: bearer(rotated.accessToken) });
		expect(me).toAnswer(401, "session.revoked");
		expect((await refresh(rotated.refreshToken)).info).toBe("session.revoked");
	});

	it("answers 401 refresh.invalid for an unknown token", async () => {
		const response = await refresh("A".repeat(43));
		expect(response).toAnswer(401, "refresh.invalid");
	});

	it("answers 401 refresh.expired after 30 days", async () => {
		const user = await signUp(app);
		clock.advance(30 * 24 * 3600_000 + 1000);
		expect((await refresh(user.refreshToken)).info).toBe("refresh.expired");
	});
});

describe("the authenticated process", () => {
	it("answers 401 session.missing without a credential", async () => {
		const response = await anonymous(app).get("/api/me");
		expect([response.statusCode, response.info, response.json().error]).toEqual([
			401,
			"session.missing",
			"session.missing",
		]);
	});

	it("answers 401 session.invalid for a malformed header or an unknown token", async () => {
		expect((await app.inject({ url: "/api/me", headers: { authorization: "Basic abc" } })).info).toBe(
			"session.invalid",
		);
		expect((await app.inject({ url: "/api/me", headers: bearer("x".repeat(43)) })).info).toBe("session.invalid");
	});

	it("answers 401 session.expired after 15 minutes", async () => {
		const user = await signUp(app);
		clock.advance(15 * 60_000);
		expect((await as(app, user).get("/api/me")).info).toBe("session.expired");
	});

	it("accepts the session cookie for reads", async () => {
		const user = await signUp(app);
		const response = await app.inject({ url: "/api/me", cookies: { session: user.accessToken } });
		expect([response.statusCode, response.json().user.id]).toEqual([200, user.id]);
	});

	it("refuses a cookie-authenticated unsafe request without a same-origin Origin (403 csrf.rejected)", async () => {
		const user = await signUp(app);
		const bare = await app.inject({
			method: "PATCH",
			url: "/api/me",
			cookies: { session: user.accessToken },
			headers: { host: "api.localhost" },
			body: { locale: "en" },
		});
		expect(bare).toAnswer(403, "csrf.rejected");
		const foreign = await app.inject({
			method: "PATCH",
			url: "/api/me",
			cookies: { session: user.accessToken },
			headers: { host: "api.localhost", origin: "https://evil.example" },
			body: { locale: "en" },
		});
		expect(foreign).toAnswer(403, "csrf.rejected");
	});

	it("accepts a cookie-authenticated unsafe request from the same origin, by Origin or Referer", async () => {
		const user = await signUp(app);
		const byOrigin = await app.inject({
			method: "PATCH",
			url: "/api/me",
			cookies: { session: user.accessToken },
			headers: { host: "api.localhost", origin: "https://api.localhost" },
			body: { locale: "en" },
		});
		expect(byOrigin.statusCode).toBe(200);
		const byReferer = await app.inject({
			method: "PATCH",
			url: "/api/me",
			cookies: { session: user.accessToken },
			headers: { host: "api.localhost", referer: "https://api.localhost/settings" },
			body: { locale: "fr" },
		});
		expect(byReferer.statusCode).toBe(200);
	});

	it("accepts an origin from ALLOWED_ORIGINS", async () => {
		const allowed = buildIdentityApp(db, { config: { ALLOWED_ORIGINS: ["https://app.example.test"] } }).app;
		const user = await signUp(allowed);
		const response = await allowed.inject({
			method: "PATCH",
			url: "/api/me",
			cookies: { session: user.accessToken },
			headers: { host: "api.localhost", origin: "https://app.example.test" },
			body: { locale: "en" },
		});
		expect(response.statusCode).toBe(200);
	});

	it("exempts Bearer-authenticated requests from the origin check", async () => {
		const user = await signUp(app);
		const response = await app.inject({
			method: "PATCH",
			url: "/api/me",
			headers: { ...user.headers, origin: "https://evil.example" },
			body: { locale: "en" },
		});
		expect(response.statusCode).toBe(200);
	});
});

describe("login with the helper", () => {
	it("gives distinct sessions to two logins of one user", async () => {
		const user = await registerUser(app);
		const first = await loginAs(app, user);
		const second = await loginAs(app, user);
		expect(first.accessToken).not.toBe(second.accessToken);
		expect(await db.$count(sessions)).toBe(2);
	});
});
