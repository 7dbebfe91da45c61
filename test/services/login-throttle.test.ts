// Login throttling: failures counted per email and per IP over a sliding window, in the database.
import { count, eq } from "drizzle-orm";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Database } from "../../src/db/index.js";
import { loginAttempts } from "../../src/db/schema/index.js";
import type { LoginThrottle } from "../../src/services/login-throttle.js";
import { getTestDatabase, resetTestDatabase } from "../helpers/database.js";
import { type TestClock, testClock, testIdentityServices } from "../helpers/identity.js";

const windowSeconds = 60;
const second = 1000;

let db: Database;
let clock: TestClock;
let throttle: LoginThrottle;

beforeAll(async () => {
	db = await getTestDatabase();
});

beforeEach(async () => {
	await resetTestDatabase(db);
	clock = testClock();
	({ throttle } = testIdentityServices(db, clock, { LOGIN_MAX_FAILURES: 3, LOGIN_WINDOW_SECONDS: windowSeconds }));
});

async function fail(times: number, email: string, ip?: string) {
	for (let i = 0; i < times; i++) await throttle.recordFailure(email, ip);
}

async function rowsFor(email: string) {
	const [row] = await db.select({ n: count() }).from(loginAttempts).where(eq(loginAttempts.email, email));
	return row?.n;
}

describe("the login throttle", () => {
	it("allows an email with no failures", async () => {
		expect(await throttle.check("a@example.test", "10.0.0.1")).toEqual({ allowed: true });
	});

	it("allows up to one failure below the limit, and refuses at the limit", async () => {
		await fail(2, "a@example.test", "10.0.0.1");
		expect(await throttle.check("a@example.test", "10.0.0.1")).toEqual({ allowed: true });
		await fail(1, "a@example.test", "10.0.0.1");
		expect(await throttle.check("a@example.test", "10.0.0.1")).toEqual({
			allowed: false,
			retryAfterSeconds: windowSeconds,
		});
	});

	it("counts an email's failures from every IP, and refuses it from any IP or none", async () => {
		await throttle.recordFailure("a@example.test", "10.0.0.1");
		await throttle.recordFailure("a@example.test", "10.0.0.2");
		await throttle.recordFailure("a@example.test", undefined);
		expect((await throttle.check("a@example.test", "10.0.0.9")).allowed).toBe(false);
		expect((await throttle.check("a@example.test", undefined)).allowed).toBe(false);
		expect((await throttle.check("b@example.test", "10.0.0.1")).allowed).toBe(true);
	});

	it("counts an IP's failures over every email, and refuses that IP for any email", async () => {
		await throttle.recordFailure("a@example.test", "10.0.0.1");
		await throttle.recordFailure("b@example.test", "10.0.0.1");
		await throttle.recordFailure("c@example.test", "10.0.0.1");
		expect(await throttle.check("d@example.test", "10.0.0.1")).toEqual({
			allowed: false,
			retryAfterSeconds: windowSeconds,
		});
		expect((await throttle.check("d@example.test", "10.0.0.2")).allowed).toBe(true);
		expect((await throttle.check("d@example.test", undefined)).allowed).toBe(true);
	});

	it("does not count failures recorded without an IP against every IP", async () => {
		await fail(3, "a@example.test", undefined);
		expect((await throttle.check("b@example.test", "10.0.0.1")).allowed).toBe(true);
	});

	it("tells when the oldest counted failure leaves the window", async () => {
		await fail(1, "a@example.test");
		clock.advance(20 * second);
		await fail(2, "a@example.test");
		expect(await throttle.check("a@example.test", undefined)).toEqual({ allowed: false, retryAfterSeconds: 40 });
	});

	it("rounds the wait up to the next whole second", async () => {
		await fail(3, "a@example.test");
		clock.advance(20 * second + 500);
		expect(await throttle.check("a@example.test", undefined)).toEqual({ allowed: false, retryAfterSeconds: 40 });
		clock.advance(39 * second + 499);
		expect(await throttle.check("a@example.test", undefined)).toEqual({ allowed: false, retryAfterSeconds: 1 });
	});

	it("forgets a failure exactly when the window has passed over it", async () => {
		await fail(3, "a@example.test", "10.0.0.1");
		clock.advance(windowSeconds * second - 1);
		expect((await throttle.check("a@example.test", "10.0.0.1")).allowed).toBe(false);
		clock.advance(1);
		expect(await throttle.check("a@example.test", "10.0.0.1")).toEqual({ allowed: true });
	});

	it("counts failures inside the window only: an old one does not make the limit", async () => {
		await fail(1, "a@example.test");
		clock.advance(windowSeconds * second);
		await fail(2, "a@example.test");
		expect((await throttle.check("a@example.test", undefined)).allowed).toBe(true);
	});

	it("prunes the email's and the IP's failures that left the window when it records one", async () => {
		await throttle.recordFailure("a@example.test", undefined);
		await throttle.recordFailure("b@example.test", "10.0.0.1");
		await throttle.recordFailure("c@example.test", "10.0.0.2");
		clock.advance(windowSeconds * second + 1);
		await throttle.recordFailure("a@example.test", "10.0.0.1");
		expect(await rowsFor("a@example.test")).toBe(1);
		expect(await rowsFor("b@example.test")).toBe(0);
		expect(await rowsFor("c@example.test")).toBe(1);
	});

	it("keeps a failure recorded exactly one window earlier", async () => {
		await throttle.recordFailure("a@example.test", "10.0.0.1");
		clock.advance(windowSeconds * second);
		await throttle.recordFailure("a@example.test", "10.0.0.1");
		expect(await rowsFor("a@example.test")).toBe(2);
	});

	it("keeps the failures of the window when it prunes", async () => {
		await fail(2, "a@example.test", "10.0.0.1");
		clock.advance(30 * second);
		await throttle.recordFailure("a@example.test", "10.0.0.1");
		expect(await rowsFor("a@example.test")).toBe(3);
	});

	it("forgives the email's failures on a successful login, but not the IP's failures on other emails", async () => {
		await fail(3, "a@example.test", "10.0.0.1");
		await throttle.recordFailure("b@example.test", "10.0.0.1");
		await throttle.recordFailure("c@example.test", "10.0.0.1");
		await throttle.recordFailure("d@example.test", "10.0.0.1");
		await fail(3, "e@example.test", "10.0.0.2");
		await throttle.clear("a@example.test");
		expect(await rowsFor("a@example.test")).toBe(0);
		expect((await throttle.check("a@example.test", undefined)).allowed).toBe(true);
		expect((await throttle.check("a@example.test", "10.0.0.1")).allowed).toBe(false);
		expect((await throttle.check("e@example.test", undefined)).allowed).toBe(false);
	});
});
