// Reads the app's OpenAPI document in tests: its operations, zod validators compiled from its schemas, and valid examples.
import { expect } from "vitest";
import { z } from "zod";
import type { App, OpenApiDocument } from "../../src/core/index.js";

export type JsonSchema = { [key: string]: unknown };
type PathItem = OpenApiDocument["paths"][string];
export type Operation = NonNullable<PathItem[keyof PathItem]>;
export type Parameter = NonNullable<Operation["parameters"]>[number];

export interface DocumentOperation {
	method: string;
	path: string;
	operation: Operation;
}

/** The document the app serves at /openapi.json, as a client would read it. */
export async function fetchDocument(app: App): Promise<OpenApiDocument> {
	const response = await app.inject({ method: "GET", url: "/openapi.json" });
	expect(response.statusCode, response.body).toBe(200);
	return response.json();
}

export function operationsOf(document: OpenApiDocument): DocumentOperation[] {
	return Object.entries(document.paths).flatMap(([path, item]) =>
		Object.entries(item).map(([method, operation]) => ({
			method: method.toUpperCase(),
			path,
			operation: operation as Operation,
		})),
	);
}

/** The JSON schema of an operation's JSON request body, if it takes one. */
export function requestBodySchema(operation: Operation): JsonSchema | undefined {
	return operation.requestBody?.content["application/json"]?.schema;
}

/** Rewrites `#/components/schemas/X` to `#/$defs/X`, where zod's fromJSONSchema looks for local definitions. */
function toDefs(value: unknown): unknown {
	if (Array.isArray(value)) return value.map(toDefs);
	if (typeof value !== "object" || value === null) return value;
	return Object.fromEntries(
		Object.entries(value).map(([key, inner]) => [
			key,
			key === "$ref" && typeof inner === "string" ? inner.replace("#/components/schemas/", "#/$defs/") : toDefs(inner),
		]),
	);
}

/** A zod validator compiled from one schema of the document (what a client generated from it would accept). */
export function compileSchema(document: OpenApiDocument, schema: JsonSchema): z.ZodType {
	return z.fromJSONSchema({
		...(toDefs(schema) as JsonSchema),
		$defs: toDefs(document.components.schemas) as Record<string, JsonSchema>,
	});
}

const compiled = new WeakMap<Operation, Map<string, z.ZodType | null>>();

/** The validator of an operation's JSON response body for a status code; null when the document declares no body for it. */
export function responseValidator(document: OpenApiDocument, operation: Operation, code: number): z.ZodType | null {
	let byCode = compiled.get(operation);
	if (byCode === undefined) {
		byCode = new Map();
		compiled.set(operation, byCode);
	}
	const key = String(code);
	if (!byCode.has(key)) {
		const schema = operation.responses[key]?.content?.["application/json"]?.schema;
		byCode.set(key, schema === undefined ? null : compileSchema(document, schema));
	}
	return byCode.get(key) ?? null;
}

/** The schema's alternatives, `anyOf`/`oneOf` branches flattened; a plain schema is its own one alternative. */
export function alternatives(schema: JsonSchema): JsonSchema[] {
	const branches = (schema.anyOf ?? schema.oneOf) as JsonSchema[] | undefined;
	return branches === undefined ? [schema] : branches.flatMap(alternatives);
}

/** True when some alternative of the schema accepts free text (a string that is not one of a closed list). */
export function acceptsText(schema: JsonSchema): boolean {
	return alternatives(schema).some((one) => {
		const types = Array.isArray(one.type) ? one.type : [one.type];
		return types.includes("string") && one.enum === undefined && one.const === undefined;
	});
}

/**
 * A valid value for a schema: `known[name]` when given (real ids of fixtures, values a pattern demands),
 * else the first enum value, the default, or the smallest value the constraints allow.
 */
export function exampleOf(schema: JsonSchema, name: string, known: Readonly<Record<string, unknown>>): unknown {
	if (name in known) return known[name];
	const one = alternatives(schema).find((candidate) => candidate.type !== "null") ?? schema;
	if (one.const !== undefined) return one.const;
	if (Array.isArray(one.enum)) return one.enum[0];
	if (one.default !== undefined) return one.default;
	switch (one.type) {
		case "integer":
		case "number":
			return typeof one.minimum === "number"
				? one.minimum
				: typeof one.exclusiveMinimum === "number"
					? one.exclusiveMinimum + 1
					: 1;
		case "boolean":
			return true;
		case "array":
			return Array.from({ length: Math.max(1, Number(one.minItems ?? 1)) }, () =>
				exampleOf((one.items ?? {}) as JsonSchema, `${name}[]`, known),
			);
		case "object": {
			const properties = (one.properties ?? {}) as Record<string, JsonSchema>;
			const required = new Set((one.required ?? []) as string[]);
			return Object.fromEntries(
				Object.entries(properties)
					.filter(([key]) => required.has(key))
					.map(([key, inner]) => [key, exampleOf(inner, key, known)]),
			);
		}
		default: {
			const length = Math.min(Math.max(Number(one.minLength ?? 0), 6), Number(one.maxLength ?? 6));
			return "sample".slice(0, length).padEnd(length, "e");
		}
	}
}
