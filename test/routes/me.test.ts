// GET/PATCH /api/me: the caller's own account, and nothing secret in it.
import { describe, expect, it } from "vitest";
import type { App } from "../../src/core/index.js";
import type { Database } from "../../src/db/index.js";
import { anonymous, as } from "../helpers/calls.js";
import { freshAppPerTest, signUp } from "../helpers/identity.js";

let db: Database;
let app: App;

freshAppPerTest((fresh) => ({ db, app } = fresh));

describe("GET /api/me", () => {
	it("answers the caller's account without password hash or TOTP secret", async () => {
		const user = await signUp(app);
		const response = await as(app, user).get("/api/me");
		expect(response).toAnswer(200, "user.found");
		expect(response.json().user).toMatchObject({
			id: user.id,
			email: user.email,
			displayName: user.displayName,
			locale: "fr",
			twoFactorEnabled: false,
		});
		expect(Object.keys(response.json().user).sort()).toEqual([
			"createdAt",
			"displayName",
			"email",
			"id",
			"locale",
			"twoFactorEnabled",
		]);
	});

	it("answers 401 session.missing without a session", async () => {
		expect((await anonymous(app).get("/api/me")).info).toBe("session.missing");
	});
});

describe("PATCH /api/me", () => {
	it("changes the display name and the locale", async () => {
		const user = await signUp(app);
		const response = await as(app, user).patch("/api/me", { displayName: "  Sram  ", locale: "en" });
		expect(response).toAnswer(200, "user.updated");
		expect(response.json().user).toMatchObject({ displayName: "Sram", locale: "en" });
	});

	it("ignores fields it does not know (the email stays)", async () => {
		const user = await signUp(app);
		const response = await as(app, user).patch("/api/me", { email: "other@example.test" });
		expect(response.json().user.email).toBe(user.email);
	});

	it("answers 400 for an invalid locale", async () => {
		const user = await signUp(app);
		const response = await as(app, user).patch("/api/me", { locale: "français" });
		expect(response).toAnswer(400, "TYPE_ERROR.body.locale");
	});

	it("answers 401 without a session", async () => {
		expect((await anonymous(app).patch("/api/me", { locale: "en" })).statusCode).toBe(401);
	});
});
