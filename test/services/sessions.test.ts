// Login sessions on the test database: issuing tokens, resolving access tokens, rotating refresh tokens, revoking, listing.
import { eq } from "drizzle-orm";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Database } from "../../src/db/index.js";
import { refreshTokens, sessions as sessionsTable, users } from "../../src/db/schema/index.js";
import type { IdentityServices } from "../../src/services/identity.js";
import type { SessionService } from "../../src/services/sessions.js";
import { generateToken, hashToken } from "../../src/services/tokens.js";
import { getTestDatabase, resetTestDatabase } from "../helpers/database.js";
import { type TestClock, testClock, testIdentityServices } from "../helpers/identity.js";

const second = 1000;
const minute = 60 * second;
const accessTtl = 15 * minute;
const refreshTtl = 30 * 24 * 60 * minute;

let db: Database;
let clock: TestClock;
let services: IdentityServices;
let sessions: SessionService;
let sequence = 0;

beforeAll(async () => {
	db = await getTestDatabase();
});

beforeEach(async () => {
	await resetTestDatabase(db);
	clock = testClock();
	services = testIdentityServices(db, clock);
	sessions = services.sessions;
});

async function newUser() {
	const n = ++sequence;
	const created = await services.userAccounts.register({
		email: `Player${n}@Example.test`,
		password: "correct horse battery staple",
		displayName: `Player ${n}`,
	});
	if (created.status !== "created") throw new Error("registration failed");
	return created.user;
}

async function sessionRow(id: number) {
	const [row] = await db.select().from(sessionsTable).where(eq(sessionsTable.id, id));
	if (row === undefined) throw new Error(`no session ${id}`);
	return row;
}

const ids = (rows: { id: number }[]) => rows.map((row) => row.id);

describe("sessions.create", () => {
	it("issues two distinct tokens, with the access and refresh lifetimes from the settings", async () => {
		const user = await newUser();
		const issued = await sessions.create(user.id, {});
		expect(issued.accessToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
		expect(issued.refreshToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
		expect(issued.accessToken).not.toBe(issued.refreshToken);
		expect(issued.expiresAt).toEqual(new Date(clock().getTime() + accessTtl));
		expect(issued.refreshExpiresAt).toEqual(new Date(clock().getTime() + refreshTtl));
	});

	it("stores only hashes of the tokens, the device (cut to 512 characters) and the IP", async () => {
		const user = await newUser();
		const issued = await sessions.create(user.id, { userAgent: "x".repeat(600), ip: "10.0.0.1" });
		const row = await sessionRow(issued.sessionId);
		expect(row).toMatchObject({
			userId: user.id,
			accessTokenHash: hashToken(issued.accessToken),
			accessExpiresAt: issued.expiresAt,
			userAgent: "x".repeat(512),
			ip: "10.0.0.1",
			createdAt: clock(),
			lastSeenAt: clock(),
			revokedAt: null,
			revokedReason: null,
		});
		const [refresh] = await db.select().from(refreshTokens).where(eq(refreshTokens.sessionId, issued.sessionId));
		expect(refresh).toMatchObject({
			tokenHash: hashToken(issued.refreshToken),
			expiresAt: issued.refreshExpiresAt,
			createdAt: clock(),
			usedAt: null,
		});
	});

	it("stores no device and no IP when the request had none", async () => {
		const user = await newUser();
		const issued = await sessions.create(user.id, {});
		expect(await sessionRow(issued.sessionId)).toMatchObject({ userAgent: null, ip: null });
	});
});

describe("sessions.authenticate", () => {
	it("resolves a live access token into its session and its public user", async () => {
		const user = await newUser();
		const issued = await sessions.create(user.id, {});
		expect(await sessions.authenticate(issued.accessToken)).toEqual({
			status: "valid",
			session: { id: issued.sessionId, userId: user.id, accessExpiresAt: issued.expiresAt, createdAt: clock() },
			user: {
				id: user.id,
				email: user.email,
				displayName: user.displayName,
				locale: user.locale,
				twoFactorEnabled: false,
				createdAt: user.createdAt,
			},
		});
	});

	it("says whether the user has two-factor authentication on", async () => {
		const user = await newUser();
		await db.update(users).set({ totpEnabledAt: clock() }).where(eq(users.id, user.id));
		const issued = await sessions.create(user.id, {});
		const result = await sessions.authenticate(issued.accessToken);
		expect(result.status === "valid" && result.user.twoFactorEnabled).toBe(true);
	});

	it("answers invalid for something that is not a token, and for an unknown token", async () => {
		await sessions.create((await newUser()).id, {});
		expect(await sessions.authenticate("not a token")).toEqual({ status: "invalid" });
		expect(await sessions.authenticate(generateToken())).toEqual({ status: "invalid" });
	});

	it("answers expired from the access token's expiry on, not a millisecond before", async () => {
		const issued = await sessions.create((await newUser()).id, {});
		clock.advance(accessTtl - 1);
		expect((await sessions.authenticate(issued.accessToken)).status).toBe("valid");
		clock.advance(1);
		expect(await sessions.authenticate(issued.accessToken)).toEqual({ status: "expired" });
	});

	it("answers revoked for a revoked session, even before its expiry", async () => {
		const issued = await sessions.create((await newUser()).id, {});
		await sessions.revoke(issued.sessionId, "logout");
		expect(await sessions.authenticate(issued.accessToken)).toEqual({ status: "revoked" });
		clock.advance(accessTtl);
		expect(await sessions.authenticate(issued.accessToken)).toEqual({ status: "revoked" });
	});

	it("records the last use once a minute has passed since the last recorded one, not more often", async () => {
		const issued = await sessions.create((await newUser()).id, {});
		const created = clock();
		clock.advance(minute - 1);
		await sessions.authenticate(issued.accessToken);
		expect((await sessionRow(issued.sessionId)).lastSeenAt).toEqual(created);
		clock.advance(1);
		await sessions.authenticate(issued.accessToken);
		expect((await sessionRow(issued.sessionId)).lastSeenAt).toEqual(clock());
	});

	it("records the last use on its own session only", async () => {
		const user = await newUser();
		const first = await sessions.create(user.id, {});
		const second = await sessions.create(user.id, {});
		const created = clock();
		clock.advance(2 * minute);
		await sessions.authenticate(first.accessToken);
		expect((await sessionRow(first.sessionId)).lastSeenAt).toEqual(clock());
		expect((await sessionRow(second.sessionId)).lastSeenAt).toEqual(created);
	});
});

describe("sessions.refresh", () => {
	it("trades a refresh token for a new pair: the new access token works, the old one no longer does", async () => {
		const user = await newUser();
		const issued = await sessions.create(user.id, {});
		clock.advance(10 * minute);
		const rotation = await sessions.refresh(issued.refreshToken);
		if (rotation.status !== "rotated") throw new Error(`not rotated: ${rotation.status}`);
		expect(rotation.userId).toBe(user.id);
		expect(rotation.tokens.sessionId).toBe(issued.sessionId);
		expect(rotation.tokens.expiresAt).toEqual(new Date(clock().getTime() + accessTtl));
		expect(rotation.tokens.refreshExpiresAt).toEqual(new Date(clock().getTime() + refreshTtl));
		expect([rotation.tokens.accessToken, rotation.tokens.refreshToken]).not.toContain(issued.accessToken);
		expect(rotation.tokens.refreshToken).not.toBe(issued.refreshToken);
		expect(await sessions.authenticate(issued.accessToken)).toEqual({ status: "invalid" });
		expect((await sessions.authenticate(rotation.tokens.accessToken)).status).toBe("valid");
		expect(await sessionRow(issued.sessionId)).toMatchObject({
			accessExpiresAt: rotation.tokens.expiresAt,
			lastSeenAt: clock(),
		});
	});

	it("marks the old refresh token used and makes the new one usable in turn", async () => {
		const issued = await sessions.create((await newUser()).id, {});
		clock.advance(minute);
		const first = await sessions.refresh(issued.refreshToken);
		if (first.status !== "rotated") throw new Error(first.status);
		const [old] = await db
			.select()
			.from(refreshTokens)
			.where(eq(refreshTokens.tokenHash, hashToken(issued.refreshToken)));
		expect(old?.usedAt).toEqual(clock());
		expect((await sessions.refresh(first.tokens.refreshToken)).status).toBe("rotated");
	});

	it("answers invalid for something that is not a token, and for an unknown token", async () => {
		await sessions.create((await newUser()).id, {});
		expect(await sessions.refresh("short")).toEqual({ status: "invalid" });
		expect(await sessions.refresh(generateToken())).toEqual({ status: "invalid" });
	});

	it("does not take an access token for a refresh token", async () => {
		const issued = await sessions.create((await newUser()).id, {});
		expect(await sessions.refresh(issued.accessToken)).toEqual({ status: "invalid" });
	});

	it("answers expired from the refresh token's expiry on, not a millisecond before", async () => {
		const user = await newUser();
		const early = await sessions.create(user.id, {});
		const late = await sessions.create(user.id, {});
		clock.advance(refreshTtl - 1);
		expect((await sessions.refresh(early.refreshToken)).status).toBe("rotated");
		clock.advance(1);
		expect(await sessions.refresh(late.refreshToken)).toEqual({ status: "expired" });
	});

	it("answers revoked for the refresh token of a revoked session", async () => {
		const issued = await sessions.create((await newUser()).id, {});
		await sessions.revoke(issued.sessionId, "logout");
		expect(await sessions.refresh(issued.refreshToken)).toEqual({ status: "revoked" });
	});

	it("revokes the whole session when a used refresh token comes back (theft)", async () => {
		const issued = await sessions.create((await newUser()).id, {});
		const rotation = await sessions.refresh(issued.refreshToken);
		if (rotation.status !== "rotated") throw new Error(rotation.status);
		clock.advance(second);
		expect(await sessions.refresh(issued.refreshToken)).toEqual({ status: "reused" });
		expect(await sessionRow(issued.sessionId)).toMatchObject({ revokedAt: clock(), revokedReason: "refresh-reuse" });
		expect(await sessions.authenticate(rotation.tokens.accessToken)).toEqual({ status: "revoked" });
		expect(await sessions.refresh(rotation.tokens.refreshToken)).toEqual({ status: "revoked" });
	});

	it("rotates only the session the token belongs to", async () => {
		const user = await newUser();
		const first = await sessions.create(user.id, {});
		const second = await sessions.create(user.id, {});
		await sessions.refresh(first.refreshToken);
		expect((await sessions.authenticate(second.accessToken)).status).toBe("valid");
		expect((await sessions.refresh(second.refreshToken)).status).toBe("rotated");
	});
});

describe("sessions.revoke", () => {
	it("records when and why, and keeps the first reason when revoked again", async () => {
		const issued = await sessions.create((await newUser()).id, {});
		const at = clock();
		await sessions.revoke(issued.sessionId, "logout");
		clock.advance(minute);
		await sessions.revoke(issued.sessionId, "password-changed");
		expect(await sessionRow(issued.sessionId)).toMatchObject({ revokedAt: at, revokedReason: "logout" });
	});

	it("revokes that session only", async () => {
		const user = await newUser();
		const first = await sessions.create(user.id, {});
		const second = await sessions.create(user.id, {});
		await sessions.revoke(first.sessionId, "logout");
		expect((await sessions.authenticate(second.accessToken)).status).toBe("valid");
	});
});

describe("sessions.revokeOwn", () => {
	it("revokes one of the user's live sessions, as revoked by the user", async () => {
		const user = await newUser();
		const mine = await sessions.create(user.id, {});
		const other = await sessions.create(user.id, {});
		expect(await sessions.revokeOwn(user.id, mine.sessionId)).toBe(true);
		expect(await sessionRow(mine.sessionId)).toMatchObject({ revokedAt: clock(), revokedReason: "user-revoked" });
		expect((await sessions.authenticate(other.accessToken)).status).toBe("valid");
	});

	it("answers false for someone else's session and leaves it alone", async () => {
		const owner = await newUser();
		const stranger = await newUser();
		const theirs = await sessions.create(owner.id, {});
		expect(await sessions.revokeOwn(stranger.id, theirs.sessionId)).toBe(false);
		expect((await sessions.authenticate(theirs.accessToken)).status).toBe("valid");
	});

	it("answers false for a session already revoked, keeping its first reason", async () => {
		const user = await newUser();
		const issued = await sessions.create(user.id, {});
		await sessions.revoke(issued.sessionId, "logout");
		expect(await sessions.revokeOwn(user.id, issued.sessionId)).toBe(false);
		expect((await sessionRow(issued.sessionId)).revokedReason).toBe("logout");
	});
});

describe("sessions.revokeAll", () => {
	it("revokes every live session of the user with the reason, and counts them", async () => {
		const user = await newUser();
		const other = await newUser();
		const a = await sessions.create(user.id, {});
		const b = await sessions.create(user.id, {});
		const c = await sessions.create(user.id, {});
		const theirs = await sessions.create(other.id, {});
		await sessions.revoke(c.sessionId, "logout");
		expect(await sessions.revokeAll(db, user.id, "logout-all")).toBe(2);
		for (const issued of [a, b]) {
			expect(await sessionRow(issued.sessionId)).toMatchObject({ revokedAt: clock(), revokedReason: "logout-all" });
		}
		expect((await sessionRow(c.sessionId)).revokedReason).toBe("logout");
		expect((await sessions.authenticate(theirs.accessToken)).status).toBe("valid");
	});

	it("spares the session given as the exception", async () => {
		const user = await newUser();
		const current = await sessions.create(user.id, {});
		const other = await sessions.create(user.id, {});
		expect(await sessions.revokeAll(db, user.id, "password-changed", current.sessionId)).toBe(1);
		expect((await sessions.authenticate(current.accessToken)).status).toBe("valid");
		expect(await sessions.authenticate(other.accessToken)).toEqual({ status: "revoked" });
	});
});

describe("sessions.listForUser", () => {
	it("lists the user's live sessions, the most recently seen first, then the newest", async () => {
		const user = await newUser();
		const older = await sessions.create(user.id, { userAgent: "Firefox", ip: "10.0.0.1" });
		const newer = await sessions.create(user.id, { userAgent: "Chrome" });
		const created = clock();
		clock.advance(2 * minute);
		const seen = await sessions.create(user.id, {});
		await sessions.create((await newUser()).id, {});
		expect(await sessions.listForUser(user.id)).toEqual([
			{ id: seen.sessionId, device: null, ip: null, createdAt: clock(), lastSeenAt: clock() },
			{ id: newer.sessionId, device: "Chrome", ip: null, createdAt: created, lastSeenAt: created },
			{ id: older.sessionId, device: "Firefox", ip: "10.0.0.1", createdAt: created, lastSeenAt: created },
		]);
	});

	it("leaves out revoked sessions", async () => {
		const user = await newUser();
		const kept = await sessions.create(user.id, {});
		const revoked = await sessions.create(user.id, {});
		await sessions.revoke(revoked.sessionId, "logout");
		expect(ids(await sessions.listForUser(user.id))).toEqual([kept.sessionId]);
	});

	it("keeps a session whose access token expired while its refresh token still works", async () => {
		const user = await newUser();
		const issued = await sessions.create(user.id, {});
		clock.advance(accessTtl);
		expect(ids(await sessions.listForUser(user.id))).toEqual([issued.sessionId]);
	});

	it("keeps a session whose refresh token is used up while its access token still works", async () => {
		const user = await newUser();
		const issued = await sessions.create(user.id, {});
		await db.update(refreshTokens).set({ usedAt: clock() }).where(eq(refreshTokens.sessionId, issued.sessionId));
		clock.advance(accessTtl - 1);
		expect(ids(await sessions.listForUser(user.id))).toEqual([issued.sessionId]);
	});

	it("leaves out a session whose access token expired and whose refresh token is used up", async () => {
		const user = await newUser();
		const issued = await sessions.create(user.id, {});
		await db.update(refreshTokens).set({ usedAt: clock() }).where(eq(refreshTokens.sessionId, issued.sessionId));
		clock.advance(accessTtl);
		expect(await sessions.listForUser(user.id)).toEqual([]);
	});

	it("leaves out a session once both its tokens have expired", async () => {
		const user = await newUser();
		await sessions.create(user.id, {});
		clock.advance(refreshTtl - 1);
		expect(await sessions.listForUser(user.id)).toHaveLength(1);
		clock.advance(1);
		expect(await sessions.listForUser(user.id)).toEqual([]);
	});
});
