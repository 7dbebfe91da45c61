// Specification of GET /openapi.json: a valid OpenAPI 3.1 document that describes every route, each with its contracts.
import { Validator } from "@seriousme/openapi-schema-validator";
import { beforeAll, describe, expect, it } from "vitest";
import {
	type App,
	extractErrorBodySchema,
	hasOwnContracts,
	type OpenApiDocument,
	storableTextPattern,
} from "../src/core/index.js";
import { getTestDatabase } from "./helpers/database.js";
import { buildIdentityApp } from "./helpers/identity.js";
import {
	alternatives,
	compileSchema,
	type JsonSchema,
	operationsOf,
	requestBodySchema,
	responseValidator,
} from "./helpers/openapi-document.js";

/**
 * Where a request schema lets free text in without the storable-text rule: strings that are neither a closed
 * list nor carry the pattern, and schemas that accept anything at all (`z.unknown()` would let any string in).
 */
function textWithoutRule(schema: JsonSchema, where: string): string[] {
	const found: string[] = [];
	const visit = (node: JsonSchema, at: string) => {
		const branches = alternatives(node);
		if (branches.length > 1) {
			for (const branch of branches) visit(branch, at);
			return;
		}
		if (node.$ref !== undefined || node.type === undefined) {
			if (
				node.$ref !== undefined ||
				Object.keys(node).filter((key) => key !== "description" && key !== "default").length === 0
			)
				found.push(`${at} (accepts anything)`);
			return;
		}
		const types = Array.isArray(node.type) ? node.type : [node.type];
		if (types.includes("string") && node.enum === undefined && node.const === undefined) {
			const patterns = [node.pattern, ...((node.allOf ?? []) as JsonSchema[]).map((one) => one.pattern)];
			if (!patterns.includes(storableTextPattern.source)) found.push(at);
		}
		if (types.includes("array")) visit((node.items ?? {}) as JsonSchema, `${at}[]`);
		if (types.includes("object")) {
			for (const [key, inner] of Object.entries((node.properties ?? {}) as Record<string, JsonSchema>))
				visit(inner, `${at}.${key}`);
			if (typeof node.additionalProperties === "object") visit(node.additionalProperties as JsonSchema, `${at}.*`);
		}
	};
	visit(schema, where);
	return found;
}

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
		const listed = Object.entries(document.paths).flatMap(([path, operations]) =>
			Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`),
		);
		const declared = app.routes.flatMap((route) => route.paths.map((path) => `${route.method} ${path}`));
		expect(listed.sort()).toEqual(declared.sort());
		expect(listed).toContain("GET /health");
		expect(listed).toContain("GET /openapi.json");
	});

	it("has contracts for every route (responses of its own, beyond the framework's)", () => {
		const offenders = app.routes
			.filter((route) => !hasOwnContracts(route))
			.map((route) => `${route.method} ${route.paths.join(", ")}`);
		expect(
			offenders,
			`Routes without any IHaveSentThis (their responses are neither checked nor documented):\n${offenders.join("\n")}`,
		).toEqual([]);
	});

	it("lets no free text in without the storable-text rule (no NUL, no lone surrogate), in any parameter or body", () => {
		const offenders = operationsOf(document).flatMap(({ method, path, operation }) => [
			...(operation.parameters ?? []).flatMap((parameter) =>
				textWithoutRule(parameter.schema, `${method} ${path} ${parameter.in} ${parameter.name}`),
			),
			...textWithoutRule(requestBodySchema(operation) ?? { type: "null" }, `${method} ${path} body`),
		]);
		expect(offenders, "Declare these strings with text() (or .check(storableTextCheck)) from src/core").toEqual([]);
	});

	it("declares the extract step's 400 body on every operation that takes parameters or a body, beside the route's own 400s", () => {
		const typeError = {
			error: "TYPE_ERROR",
			info: "TYPE_ERROR.body.name",
			issues: [{ path: ["body", "name"], message: "Too big", code: "too_big" }],
		};
		expect(extractErrorBodySchema.safeParse(typeError).success).toBe(true);
		const missing: string[] = [];
		for (const { method, path, operation } of operationsOf(document)) {
			const extracts = (operation.parameters ?? []).length > 0 || operation.requestBody !== undefined;
			const validator = responseValidator(document, operation, 400);
			const where = `${method} ${path}`;
			if (!extracts) continue;
			if (validator === null) missing.push(`${where}: no 400 body`);
			else if (!validator.safeParse(typeError).success) missing.push(`${where}: the extract body does not validate`);
			// A refusal body with more fields than `{ error, message }` is not what the document promises.
			else if (validator.safeParse({ ...typeError, extra: true }).success)
				missing.push(`${where}: accepts undeclared fields`);
		}
		expect(missing).toEqual([]);
		const charactersList = responseValidator(document, document.paths["/api/characters"]?.get as never, 400);
		expect(
			charactersList?.safeParse({ error: "level.range_invalid", message: "minLevel must not be above maxLevel." })
				.success,
		).toBe(true);
		expect(compileSchema(document, { type: "string" }).safeParse("x").success).toBe(true);
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
		expect(responses["200"]?.content?.["application/json"]?.schema).toMatchObject({
			type: "object",
			required: ["status", "database"],
		});
	});

	it("lists 503 DATABASE_UNAVAILABLE with its Retry-After on every operation, declared once by the app", () => {
		const operations = Object.values(document.paths).flatMap((operations) => Object.values(operations));
		const missing = operations.filter(
			(operation) =>
				!operation.responses["503"]?.["x-infos"].includes("DATABASE_UNAVAILABLE") ||
				operation.responses["503"]?.headers?.["retry-after"] === undefined,
		);
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
