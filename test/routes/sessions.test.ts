// Session routes: logout, logout everywhere, listing and revoking one's own sessions, and no access to others'.
import { describe, expect, it } from "vitest";
import type { App } from "../../src/core/index.js";
import type { Database } from "../../src/db/index.js";
import { anonymous, as } from "../helpers/calls.js";
import { freshAppPerTest, loginAs, signUp } from "../helpers/identity.js";

let db: Database;
let app: App;

freshAppPerTest((fresh) => ({ db, app } = fresh));

const me = (headers: Record<string, string>) => app.inject({ url: "/api/me", headers });

describe("POST /api/auth/logout", () => {
	it("revokes this session at once and clears the cookie", async () => {
		const user = await signUp(app);
		const response = await as(app, user).post("/api/auth/logout");
		expect(response).toAnswer(204, "session.closed");
		expect(String([response.headers["set-cookie"]].flat()[0])).toMatch(/^session=;.*Max-Age=0/);
		const after = await me(user.headers);
		expect(after).toAnswer(401, "session.revoked");
	});

	it("leaves the user's other sessions alone", async () => {
		const user = await signUp(app);
		const other = await loginAs(app, user);
		await as(app, user).post("/api/auth/logout");
		expect((await me(other.headers)).statusCode).toBe(200);
	});

	it("answers 401 session.missing without a session", async () => {
		expect((await anonymous(app).post("/api/auth/logout")).info).toBe("session.missing");
	});
});

describe("POST /api/auth/logout-all", () => {
	it("revokes every session of the user, and their refresh tokens", async () => {
		const user = await signUp(app);
		const other = await loginAs(app, user);
		const response = await as(app, user).post("/api/auth/logout-all");
		expect(response).toAnswer(204, "session.all_closed");
		expect((await me(user.headers)).info).toBe("session.revoked");
		expect((await me(other.headers)).info).toBe("session.revoked");
		const refresh = await anonymous(app).post("/api/auth/refresh", { refreshToken: other.refreshToken });
		expect(refresh).toAnswer(401, "session.revoked");
	});

	it("does not touch another user's sessions", async () => {
		const user = await signUp(app);
		const stranger = await signUp(app);
		await as(app, user).post("/api/auth/logout-all");
		expect((await me(stranger.headers)).statusCode).toBe(200);
	});
});

describe("GET /api/auth/sessions", () => {
	it("lists the caller's live sessions with device, IP, dates, and which one is current", async () => {
		const user = await signUp(app);
		await loginAs(app, user, { userAgent: "Firefox on Linux" });
		const response = await as(app, user).get("/api/auth/sessions");
		expect(response).toAnswer(200, "session.list");
		const list = response.json().sessions as {
			device: string | null;
			ip: string;
			current: boolean;
			createdAt: string;
			lastSeenAt: string;
		}[];
		expect(list).toHaveLength(2);
		expect(list.filter((session) => session.current)).toHaveLength(1);
		expect(list.map((session) => session.device)).toContain("Firefox on Linux");
		expect(list[0]).toMatchObject({ ip: "127.0.0.1" });
		expect(Number.isNaN(Date.parse(list[0]?.lastSeenAt ?? ""))).toBe(false);
		expect(response.body).not.toMatch(/token|hash/i);
	});

	it("does not list revoked sessions or other users' sessions", async () => {
		const user = await signUp(app);
		const gone = await loginAs(app, user);
		await as(app, gone).post("/api/auth/logout");
		await signUp(app);
		const list = (await as(app, user).get("/api/auth/sessions")).json().sessions;
		expect(list).toHaveLength(1);
	});
});

describe("DELETE /api/auth/sessions/{sessionId}", () => {
	const sessionsOf = async (headers: Record<string, string>) =>
		(await app.inject({ url: "/api/auth/sessions", headers })).json().sessions as { id: number; current: boolean }[];

	it("revokes one of the caller's other sessions", async () => {
		const user = await signUp(app);
		const laptop = await loginAs(app, user);
		const target = (await sessionsOf(laptop.headers)).find((session) => session.current);
		const response = await as(app, user).delete(`/api/auth/sessions/${target?.id}`);
		expect(response).toAnswer(204, "session.closed");
		expect((await me(laptop.headers)).info).toBe("session.revoked");
		expect((await me(user.headers)).statusCode).toBe(200);
	});

	it("answers 404 session.notfound for another user's session, which stays alive", async () => {
		const user = await signUp(app);
		const victim = await signUp(app);
		const victimSession = (await sessionsOf(victim.headers))[0];
		const response = await as(app, user).delete(`/api/auth/sessions/${victimSession?.id}`);
		expect(response).toAnswer(404, "session.notfound");
		expect((await me(victim.headers)).statusCode).toBe(200);
	});

	it("answers 404 for an unknown id and 400 for a malformed one", async () => {
		const user = await signUp(app);
		expect((await as(app, user).delete("/api/auth/sessions/999")).statusCode).toBe(404);
		expect((await as(app, user).delete("/api/auth/sessions/abc")).statusCode).toBe(400);
	});
});
