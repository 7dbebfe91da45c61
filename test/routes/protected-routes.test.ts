// Every route the OpenAPI document marks as protected refuses callers without a live session, before it
// validates anything (bad params, no body) — found from the document itself, so a route added later is
// covered without touching this file.
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { App, OpenApiDocument } from "../../src/core/index.js";
import type { Database } from "../../src/db/index.js";
import { anonymous, as } from "../helpers/calls.js";
import { getTestDatabase, resetTestDatabase } from "../helpers/database.js";
import { buildIdentityApp, signUp, type TestClock } from "../helpers/identity.js";

interface Operation {
	method: string;
	path: string;
	/** The path with every parameter replaced by something no extract accepts. */
	url: string;
}

function protectedOperations(document: OpenApiDocument): Operation[] {
	const operations: Operation[] = [];
	for (const [path, item] of Object.entries(document.paths)) {
		for (const [method, operation] of Object.entries(
			item as Record<string, { security?: Record<string, unknown>[] }>,
		)) {
			const security = operation.security;
			// `{}` in the list means credentials are optional there.
			if (
				security === undefined ||
				security.length === 0 ||
				security.some((requirement) => Object.keys(requirement).length === 0)
			)
				continue;
			operations.push({ method: method.toUpperCase(), path, url: path.replace(/\{[^}]+\}/g, "not-a-valid-param") });
		}
	}
	return operations;
}

let db: Database;
let app: App;
let clock: TestClock;
let operations: Operation[];

beforeAll(async () => {
	db = await getTestDatabase();
	({ app, clock } = buildIdentityApp(db));
	operations = protectedOperations((await anonymous(app).get("/openapi.json")).json());
});

beforeEach(async () => {
	await resetTestDatabase(db);
});

describe("every protected route", () => {
	it("is found in the OpenAPI document", () => {
		expect(operations.length).toBeGreaterThan(10);
		expect(operations.map((operation) => `${operation.method} ${operation.path}`)).toContain("GET /api/me");
	});

	it("answers 401 session.missing without credentials", async () => {
		for (const operation of operations) {
			const response = await app.inject({ method: operation.method, url: operation.url });
			expect(`${operation.method} ${operation.path} → ${response.statusCode} ${response.info}`).toBe(
				`${operation.method} ${operation.path} → 401 session.missing`,
			);
		}
	});

	it("answers 401 session.invalid for an unknown or malformed token", async () => {
		for (const operation of operations) {
			for (const authorization of ["Bearer not-a-real-token", "Basic dXNlcjpwYXNz"]) {
				const response = await app.inject({ method: operation.method, url: operation.url, headers: { authorization } });
				expect(`${operation.method} ${operation.path} → ${response.statusCode} ${response.info}`).toBe(
					`${operation.method} ${operation.path} → 401 session.invalid`,
				);
			}
		}
	});

	it("answers 401 session.expired once the access token is past its lifetime", async () => {
		const user = await signUp(app);
		clock.advance(16 * 60 * 1000);
		for (const operation of operations) {
			const response = await app.inject({ method: operation.method, url: operation.url, headers: user.headers });
			expect(`${operation.method} ${operation.path} → ${response.statusCode} ${response.info}`).toBe(
				`${operation.method} ${operation.path} → 401 session.expired`,
			);
		}
	});

	it("answers 401 session.revoked after logout", async () => {
		const user = await signUp(app);
		expect((await as(app, user).post("/api/auth/logout")).statusCode).toBe(204);
		for (const operation of operations) {
			const response = await app.inject({ method: operation.method, url: operation.url, headers: user.headers });
			expect(`${operation.method} ${operation.path} → ${response.statusCode} ${response.info}`).toBe(
				`${operation.method} ${operation.path} → 401 session.revoked`,
			);
		}
	});

	it("answers 403 csrf.rejected to a cookie-authenticated change from another origin", async () => {
		const user = await signUp(app);
		const cookie = user.cookie.split(";")[0] as string;
		for (const operation of operations.filter((one) => one.method !== "GET")) {
			const response = await app.inject({
				method: operation.method,
				url: operation.url,
				headers: { cookie, origin: "https://evil.example", host: "localhost:3000" },
			});
			expect(`${operation.method} ${operation.path} → ${response.statusCode} ${response.info}`).toBe(
				`${operation.method} ${operation.path} → 403 csrf.rejected`,
			);
		}
	});
});
