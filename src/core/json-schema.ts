// Zod schemas as JSON Schema (2020-12, what OpenAPI 3.1 uses), with the shared definitions they need.
import { z } from "zod";
import { hasStorableTextCheck, storableTextPattern } from "./text.js";

export type JsonSchema = { [key: string]: unknown };

/**
 * Turns zod schemas into JSON Schema (2020-12, what OpenAPI 3.1 uses), hoisting the `$defs` zod makes
 * for recursive or registered schemas into `components.schemas`, where a `$ref` from anywhere resolves.
 */
export class SchemaConverter {
	readonly components: Record<string, JsonSchema> = {};

	convert(schema: z.ZodType, io: "input" | "output"): JsonSchema {
		const json = z.toJSONSchema(schema, {
			io,
			unrepresentable: "any",
			override: (context) => {
				// Dates travel as ISO strings in JSON bodies.
				if (context.zodSchema._zod.def.type === "date")
					Object.assign(context.jsonSchema, { type: "string", format: "date-time" });
				if (hasStorableTextCheck(context.zodSchema))
					addPattern(context.jsonSchema as JsonSchema, storableTextPattern.source);
			},
		}) as JsonSchema;
		delete json.$schema;
		const defs = (json.$defs ?? {}) as Record<string, JsonSchema>;
		delete json.$defs;
		// A schema that contains itself refers to its root as "#", which in OpenAPI would be the whole document.
		const selfReferencing = JSON.stringify(json).includes('"$ref":"#"');
		if (Object.keys(defs).length === 0 && !selfReferencing) return json;
		const renamed = new Map<string, string>();
		for (const [name, definition] of Object.entries(defs)) renamed.set(name, this.freeName(name, definition));
		const rootName = selfReferencing ? this.freeName(String(json.title ?? "Recursive"), json) : undefined;
		const rewrite = (value: unknown): unknown => {
			if (Array.isArray(value)) return value.map(rewrite);
			if (typeof value !== "object" || value === null) return value;
			const result: JsonSchema = {};
			for (const [key, inner] of Object.entries(value)) {
				if (key !== "$ref" || typeof inner !== "string") result[key] = rewrite(inner);
				else if (inner === "#" && rootName !== undefined) result[key] = `#/components/schemas/${rootName}`;
				else {
					const ref = /^#\/\$defs\/(.+)$/.exec(inner);
					result[key] = ref?.[1] === undefined ? inner : `#/components/schemas/${renamed.get(ref[1]) ?? ref[1]}`;
				}
			}
			return result;
		};
		for (const [name, definition] of Object.entries(defs))
			this.components[renamed.get(name) as string] = rewrite(definition) as JsonSchema;
		if (rootName === undefined) return rewrite(json) as JsonSchema;
		this.components[rootName] = rewrite(json) as JsonSchema;
		return { $ref: `#/components/schemas/${rootName}` };
	}

	/** The component name for a schema: its own name, or a numbered one when another schema already took it. */
	private freeName(wanted: string, definition: JsonSchema): string {
		const base = wanted.replace(/[^A-Za-z0-9._-]/g, "_");
		let name = base;
		for (
			let n = 2;
			this.components[name] !== undefined && JSON.stringify(this.components[name]) !== JSON.stringify(definition);
			n++
		)
			name = `${base}_${n}`;
		return name;
	}
}

/** Adds a pattern to a string schema; JSON Schema has one `pattern` keyword, so a second one goes into `allOf`, as zod writes it. */
function addPattern(json: JsonSchema, pattern: string): void {
	if (json.pattern === undefined) {
		json.pattern = pattern;
		return;
	}
	json.allOf = [...((json.allOf ?? []) as JsonSchema[]), { pattern }];
}
