// Every route the OpenAPI document marks as protected refuses callers without a live session — found
// from the document itself, so a route added later is covered without touching this file.
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { App, OpenApiDocument } from "../../src/core/index.js";
import type { Database } from "../../src/db/index.js";
import { getTestDatabase, resetTestDatabase } from "../helpers/database.js";
import { buildIdentityApp, signUp, type TestClock } from "../helpers/identity.js";

interface Operation {
	method: string;
	path: string;
	url: string;
	body: unknown;
}

type JsonSchema = {
	type?: string | string[];
	properties?: Record<string, JsonSchema>;
	required?: string[];
	enum?: unknown[];
	const?: unknown;
	format?: string;
	minLength?: number;
	minimum?: number;
	exclusiveMinimum?: number;
	items?: JsonSchema;
	anyOf?: JsonSchema[];
	oneOf?: JsonSchema[];
	default?: unknown;
};

/** A value the schema accepts: enough for a request to get past extract, so authentication answers. */
function sampleOf(schema: JsonSchema | undefined): unknown {
	if (schema === undefined) return {};
	if (schema.const !== undefined) return schema.const;
	if (schema.enum !== undefined) return schema.enum[0];
	if (schema.default !== undefined) return schema.default;
	const variant = schema.anyOf?.[0] ?? schema.oneOf?.[0];
	if (variant !== undefined) return sampleOf(variant);
	const type = Array.isArray(schema.type) ? schema.type.find((one) => one !== "null") : schema.type;
	switch (type) {
		case "object": {
			const value: Record<string, unknown> = {};
			for (const key of schema.required ?? []) value[key] = sampleOf(schema.properties?.[key]);
			return value;
		}
		case "array":
			return [];
		case "integer":
		case "number":
			return Math.max(1, schema.minimum ?? 1, (schema.exclusiveMinimum ?? 0) + 1);
		case "boolean":
			return true;
		case "string":
			if (schema.format === "email") return "someone@example.test";
			return "x".repeat(Math.max(schema.minLength ?? 1, 12));
		default:
			return null;
	}
}

function protectedOperations(document: OpenApiDocument): Operation[] {
	const operations: Operation[] = [];
	for (const [path, item] of Object.entries(document.paths)) {
		for (const [method, operation] of Object.entries(item as Record<string, Record<string, any>>)) {
			const security = operation.security as Record<string, unknown>[] | undefined;
			// `{}` in the list means credentials are optional there.
			if (security === undefined || security.length === 0 || security.some((requirement) => Object.keys(requirement).length === 0)) continue;
			// Each path parameter gets a value its schema accepts (an id → 1, an enum → its first value).
			const parameters = (operation.parameters ?? []) as { name: string; in: string; schema?: JsonSchema }[];
			const url = path.replace(/\{([^}]+)\}/g, (_, name: string) => String(sampleOf(parameters.find((one) => one.in === "path" && one.name === name)?.schema ?? { type: "integer" })));
			const schema = operation.requestBody?.content?.["application/json"]?.schema as JsonSchema | undefined;
			operations.push({ method: method.toUpperCase(), path, url, body: operation.requestBody === undefined ? undefined : sampleOf(schema) });
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
	operations = protectedOperations((await app.inject({ url: "/openapi.json" })).json());
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
			const response = await app.inject({ method: operation.method, url: operation.url, body: operation.body });
			expect(`${operation.method} ${operation.path} → ${response.statusCode} ${response.info}`).toBe(`${operation.method} ${operation.path} → 401 session.missing`);
		}
	});

	it("answers 401 session.invalid for an unknown or malformed token", async () => {
		for (const operation of operations) {
			for (const authorization of ["Bearer not-a-real-token", "Basic dXNlcjpwYXNz"]) {
				const response = await app.inject({ method: operation.method, url: operation.url, body: operation.body, headers: { authorization } });
				expect(`${operation.method} ${operation.path} → ${response.statusCode} ${response.info}`).toBe(`${operation.method} ${operation.path} → 401 session.invalid`);
			}
		}
	});

	it("answers 401 session.expired once the access token is past its lifetime", async () => {
		const user = await signUp(app);
		clock.advance(16 * 60 * 1000);
		for (const operation of operations) {
			const response = await app.inject({ method: operation.method, url: operation.url, body: operation.body, headers: user.headers });
			expect(`${operation.method} ${operation.path} → ${response.statusCode} ${response.info}`).toBe(`${operation.method} ${operation.path} → 401 session.expired`);
		}
	});

	it("answers 401 session.revoked after logout", async () => {
		const user = await signUp(app);
		expect((await app.inject({ method: "POST", url: "/api/auth/logout", headers: user.headers })).statusCode).toBe(204);
		for (const operation of operations) {
			const response = await app.inject({ method: operation.method, url: operation.url, body: operation.body, headers: user.headers });
			expect(`${operation.method} ${operation.path} → ${response.statusCode} ${response.info}`).toBe(`${operation.method} ${operation.path} → 401 session.revoked`);
		}
	});

	it("answers 403 csrf.rejected to a cookie-authenticated change from another origin", async () => {
		const user = await signUp(app);
		const cookie = user.cookie.split(";")[0] as string;
		for (const operation of operations.filter((one) => one.method !== "GET")) {
			const response = await app.inject({
				method: operation.method,
				url: operation.url,
				body: operation.body,
				headers: { cookie, origin: "https://evil.example", host: "localhost:3000" },
			});
			expect(`${operation.method} ${operation.path} → ${response.statusCode} ${response.info}`).toBe(`${operation.method} ${operation.path} → 403 csrf.rejected`);
		}
	});
});
