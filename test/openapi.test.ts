// Specification of GET /openapi.json: a valid OpenAPI 3.1 document that describes every route, each with its contracts.
import { Validator } from "@seriousme/openapi-schema-validator";
import { beforeAll, describe, expect, it } from "vitest";
import { hasOwnContracts, type App, type OpenApiDocument } from "../src/core/index.js";
import { getTestDatabase } from "./helpers/database.js";
import { buildIdentityApp } from "./helpers/identity.js";

let app: App;
let document: OpenApiDocument;

beforeAll(async () => {
	({ app } = buildIdentityApp(await getTestDatabase()));
	const response = await app.inject({ method: "GET", url: "/openapi.json" });
	expect(response.statusCode).toBe(200);
	document = response.json();
});

describe("GET /openapi.json", () => {
	it("answers 200 openapi.document as JSON", async () => {
		const response = await app.inject({ method: "GET", url: "/openapi.json" });
		expect(response.info).toBe("openapi.document");
		expect(response.headers["content-type"]).toMatch(/^application\/json/);
	});

	it("is a valid OpenAPI 3.1 document", async () => {
		const validator = new Validator();
		const result = await validator.validate(structuredClone(document) as unknown as Record<string, unknown>);
		expect(validator.version).toBe("3.1");
		expect(result.errors, JSON.stringify(result.errors, null, 2)).toBeUndefined();
		expect(result.valid).toBe(true);
	});

	it("lists every declared route and method, without the implicit HEAD", () => {
		const listed = Object.entries(document.paths).flatMap(([path, operations]) => Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`));
		const declared = app.routes.flatMap((route) => route.paths.map((path) => `${route.method} ${path}`));
		expect(listed.sort()).toEqual(declared.sort());
		expect(listed).toContain("GET /health");
		expect(listed).toContain("GET /openapi.json");
	});

	it("has contracts for every route (responses of its own, beyond the framework's)", () => {
		const offenders = app.routes.filter((route) => !hasOwnContracts(route)).map((route) => `${route.method} ${route.paths.join(", ")}`);
		expect(offenders, `Routes without any IHaveSentThis (their responses are neither checked nor documented):\n${offenders.join("\n")}`).toEqual([]);
	});

	it("gives every operation a unique operation id and a tag named after its resource folder", () => {
		const operations = Object.values(document.paths).flatMap((operations) => Object.values(operations));
		const ids = operations.map((operation) => operation.operationId);
		expect(new Set(ids).size).toBe(ids.length);
		expect(document.paths["/health"]?.get?.operationId).toBe("getHealth");
		expect(document.paths["/health"]?.get?.tags).toEqual(["health"]);
		expect(document.paths["/openapi.json"]?.get?.tags).toEqual(["docs"]);
		expect(document.tags.map((tag) => tag.name)).toEqual(expect.arrayContaining(["health", "docs"]));
	});

	it("describes the answers of GET /health with their infos and body schema", () => {
		const responses = document.paths["/health"]?.get?.responses ?? {};
		expect(responses["200"]?.["x-infos"]).toEqual(["health.ok"]);
		expect(responses["503"]?.["x-infos"]).toEqual(["health.degraded", "DATABASE_UNAVAILABLE"]);
		expect(responses["200"]?.content?.["application/json"]?.schema).toMatchObject({ type: "object", required: ["status", "database"] });
	});

	it("lists 503 DATABASE_UNAVAILABLE with its Retry-After on every operation, declared once by the app", () => {
		const operations = Object.values(document.paths).flatMap((operations) => Object.values(operations));
		const missing = operations.filter((operation) => !operation.responses["503"]?.["x-infos"].includes("DATABASE_UNAVAILABLE") || operation.responses["503"]?.headers?.["retry-after"] === undefined);
		expect(missing.map((operation) => operation.operationId)).toEqual([]);
	});

	it("declares bearer and cookie security schemes, required by the routes that use the authenticated process", () => {
		expect(document.components.securitySchemes).toEqual({
			bearerAuth: expect.objectContaining({ type: "http", scheme: "bearer" }),
			cookieAuth: expect.objectContaining({ type: "apiKey", in: "cookie", name: "session" }),
		});
		expect(document.paths["/api/me"]?.get?.security).toEqual([{ bearerAuth: [] }, { cookieAuth: [] }]);
		expect(document.paths["/api/me"]?.get?.responses["401"]?.["x-infos"]).toContain("session.expired");
		expect(document.paths["/health"]?.get?.security).toBeUndefined();
		expect(document.paths["/api/auth/register"]?.post?.security).toBeUndefined();
	});
});
