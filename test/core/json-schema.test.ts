// Specification of zod schemas as JSON Schema for OpenAPI: dates as ISO strings, the storable-text pattern beside a
// schema's own, and the definitions zod makes (recursive or named schemas) hoisted into components under free names.
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { text } from "../../src/core/index.js";
import { SchemaConverter } from "../../src/core/json-schema.js";
import { storableTextPattern } from "../../src/core/text.js";

const storable = storableTextPattern.source;

describe("a converted schema", () => {
	it("has no $schema, and dates as date-time strings", () => {
		expect(new SchemaConverter().convert(z.object({ at: z.date() }), "output")).toEqual({
			type: "object",
			properties: { at: { type: "string", format: "date-time" } },
			required: ["at"],
			additionalProperties: false,
		});
	});

	it("gives text() the storable-text pattern, in allOf when the schema has a pattern of its own", () => {
		const json = new SchemaConverter().convert(
			z.object({ plain: text(), own: text().regex(/^a/), two: text().regex(/^a/).regex(/b$/) }),
			"input",
		);
		const properties = json.properties as Record<string, Record<string, unknown>>;
		expect(properties.plain).toEqual({ type: "string", pattern: storable });
		expect(properties.own).toEqual({ type: "string", pattern: "^a", allOf: [{ pattern: storable }] });
		// zod puts two patterns of its own in allOf, which leaves the keyword free.
		expect(properties.two).toEqual({
			type: "string",
			allOf: [{ pattern: "^a" }, { pattern: "b$" }],
			pattern: storable,
		});
		expect(new SchemaConverter().convert(z.string(), "input")).toEqual({ type: "string" });
	});

	it("without definitions adds no component", () => {
		const converter = new SchemaConverter();
		converter.convert(z.object({ a: z.string() }), "output");
		expect(converter.components).toEqual({});
	});
});

describe("definitions", () => {
	const tree: z.ZodType = z.object({
		name: z.string(),
		get children() {
			return z.array(tree);
		},
	});

	it("of a schema that contains itself become a component, Recursive by default, its references to it rewritten", () => {
		const converter = new SchemaConverter();
		expect(converter.convert(tree, "output")).toEqual({ $ref: "#/components/schemas/Recursive" });
		expect(converter.components).toEqual({
			Recursive: {
				type: "object",
				properties: {
					name: { type: "string" },
					children: { type: "array", items: { $ref: "#/components/schemas/Recursive" } },
				},
				required: ["name", "children"],
				additionalProperties: false,
			},
		});
	});

	it("of a recursive schema with a title take the title as name", () => {
		const chain: z.ZodType = z
			.object({
				get next() {
					return chain.optional();
				},
			})
			.meta({ title: "Chain" });
		const converter = new SchemaConverter();
		expect(converter.convert(chain, "output")).toEqual({ $ref: "#/components/schemas/Chain" });
		expect(Object.keys(converter.components)).toEqual(["Chain"]);
	});

	it("of named schemas keep their name, made safe, and share one component when they are the same", () => {
		const thing = z.object({ a: z.string() }).meta({ id: "My Thing" });
		const converter = new SchemaConverter();
		expect(converter.convert(z.object({ x: thing, y: thing }), "output")).toEqual({
			type: "object",
			properties: { x: { $ref: "#/components/schemas/My_Thing" }, y: { $ref: "#/components/schemas/My_Thing" } },
			required: ["x", "y"],
			additionalProperties: false,
		});
		converter.convert(z.object({ again: thing }), "output");
		expect(Object.keys(converter.components)).toEqual(["My_Thing"]);
	});

	it("of another schema under a name already taken get the next free number", () => {
		const converter = new SchemaConverter();
		const schemas = [z.string(), z.number(), z.boolean()].map((inner) => z.object({ v: inner }).meta({ id: "Value" }));
		const refs = schemas.map((schema) => converter.convert(z.object({ v: schema }), "output").properties);
		expect(refs).toEqual([
			{ v: { $ref: "#/components/schemas/Value" } },
			{ v: { $ref: "#/components/schemas/Value_2" } },
			{ v: { $ref: "#/components/schemas/Value_3" } },
		]);
		expect(converter.components.Value_3).toEqual({
			type: "object",
			properties: { v: { type: "boolean" } },
			required: ["v"],
			additionalProperties: false,
		});
	});

	it("are referred to from inside arrays and nested objects too", () => {
		const item = z.object({ n: z.number() }).meta({ id: "Item" });
		const converter = new SchemaConverter();
		const json = converter.convert(z.object({ list: z.array(item), pair: z.tuple([item, z.string()]) }), "output");
		expect(JSON.stringify(json)).not.toContain("$defs");
		expect((json.properties as Record<string, unknown>).list).toEqual({
			type: "array",
			items: { $ref: "#/components/schemas/Item" },
		});
		expect(JSON.stringify((json.properties as Record<string, unknown>).pair)).toContain(
			'{"$ref":"#/components/schemas/Item"}',
		);
	});
});
