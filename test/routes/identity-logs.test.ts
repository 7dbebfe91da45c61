// No password, token or hash reaches a log line, through a whole login / refresh / reset flow at debug level.
import { Writable } from "node:stream";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { App } from "../../src/core/index.js";
import type { Database } from "../../src/db/index.js";
import { users } from "../../src/db/schema/index.js";
import { createLogger } from "../../src/logger.js";
import { hashToken } from "../../src/services/tokens.js";
import { getTestDatabase, resetTestDatabase } from "../helpers/database.js";
import { buildIdentityApp, lastMail, loginAs, registerUser, tokenIn } from "../helpers/identity.js";

let db: Database;
let app: App;
let lines: string[];

beforeAll(async () => {
	db = await getTestDatabase();
});

beforeEach(async () => {
	await resetTestDatabase(db);
	lines = [];
	const stream = new Writable({
		write(chunk: Buffer, _encoding, callback) {
			lines.push(chunk.toString("utf8"));
			callback();
		},
	});
	({ app } = buildIdentityApp(db, { logger: createLogger({ APP_ENV: "TEST", LOG_LEVEL: "debug" }, stream) }));
});

describe("identity logs", () => {
	it("never contain a password, a token or a hash", async () => {
		const user = await registerUser(app);
		const secrets: string[] = [user.password];
		await app.inject({
			method: "POST",
			url: "/api/auth/login",
			body: { email: user.email, password: "a wrong password" },
		});
		secrets.push("a wrong password");
		const session = await loginAs(app, user);
		secrets.push(
			session.accessToken,
			session.refreshToken,
			hashToken(session.accessToken),
			hashToken(session.refreshToken),
		);
		const rotated = (
			await app.inject({ method: "POST", url: "/api/auth/refresh", body: { refreshToken: session.refreshToken } })
		).json();
		secrets.push(rotated.accessToken, rotated.refreshToken);
		await app.inject({ method: "POST", url: "/api/auth/refresh", body: { refreshToken: session.refreshToken } });
		await app.inject({ method: "POST", url: "/api/auth/password/forgot", body: { email: user.email } });
		const resetToken = tokenIn((await lastMail(db, user.email, "password.reset"))?.body);
		secrets.push(resetToken, hashToken(resetToken));
		await app.inject({
			method: "POST",
			url: "/api/auth/password/reset",
			body: { token: resetToken, password: "the new passphrase" },
		});
		secrets.push("the new passphrase");
		for (const row of await db.select({ passwordHash: users.passwordHash }).from(users)) secrets.push(row.passwordHash);

		const output = lines.join("");
		// The flow did log (failures, reuse), so the absence below means something. Mail is logged by the worker that
		// delivers it (test/jobs/mail-deliver.test.ts checks that line).
		expect(output).toContain("login failed");
		expect(output).toContain("refresh token reused");
		for (const secret of secrets) expect(output).not.toContain(secret);
		expect(output).not.toMatch(/scrypt\$/);
	});

	it("redact secrets a log call might carry: bodies, rows, and database error parameters", () => {
		const captured: string[] = [];
		const logger = createLogger(
			{ APP_ENV: "TEST", LOG_LEVEL: "debug" },
			{ write: (line: string) => void captured.push(line) },
		);
		logger.info({
			body: { password: "p1", current: "p2", new: "p3", token: "t1", refreshToken: "t2", challengeToken: "t3" },
		});
		logger.info({ row: { passwordHash: "h1", tokenHash: "h2", accessTokenHash: "h3", totpSecret: "s1" } });
		logger.error({ err: Object.assign(new Error("insert failed"), { params: ["scrypt$17$8$1$salt$hash"] }) });
		const output = captured.join("");
		for (const secret of ["p1", "p2", "p3", "t1", "t2", "t3", "h1", "h2", "h3", "s1", "scrypt$"])
			expect(output).not.toContain(`"${secret}`);
		expect(output).toContain("[redacted]");
	});
});
