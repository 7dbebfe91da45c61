// What an extract shape may declare (the errors for the rest), the order parts are checked in, and the
// helpers that tell the compiler what a shape reads.
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { compileExtract, extractsBody, extractsMultipart, extractsParts } from "../../src/core/extract.js";
import { createApp, DeclarationError, multipart } from "../../src/core/index.js";
import { unchecked } from "../helpers/unchecked.js";

/** Declares a route extracting `shape` and builds the app, where declaration errors surface. */
function declare(shape: object) {
	const app = createApp({ environment: "TEST" });
	app
		.declareRoute("POST", "/x")
		.extract(shape as never)
		.handler((_floor, response) => unchecked(response).code(200).respond());
	app.ready();
}

describe("extract declarations", () => {
	it("refuses an unknown part, listing the known ones", () => {
		expect(() => compileExtract({ bodyy: z.string() } as never, () => undefined)).toThrow(
			new DeclarationError(
				'extract: unknown part "bodyy" (expected one of params, query, headers, cookies, body, multipart).',
			),
		);
		expect(() => declare({ bodyy: z.string() })).toThrow(/unknown part "bodyy"/);
	});

	it("refuses a per-key schema that is not a zod schema, naming the part and the key", () => {
		expect(() => declare({ query: { page: z.string(), size: "number" } })).toThrow(
			new DeclarationError("extract.query.size must be a zod schema."),
		);
		expect(() => declare({ body: { name: { type: "string" } } })).toThrow("extract.body.name must be a zod schema.");
	});

	it("refuses a multipart part not made by multipart()", () => {
		expect(() => compileExtract({ multipart: { files: {} } } as never, () => undefined)).toThrow(
			"extract.multipart must be made by multipart({ files, fields }).",
		);
	});

	it("refuses multipart beside body", () => {
		expect(() => declare({ body: z.unknown(), multipart: multipart({ files: {} }) })).toThrow(
			"extract: a route reads its body as body or as multipart, not both.",
		);
	});

	it("refuses a key dropped both by a part and by multipart", () => {
		expect(() =>
			declare({ query: { title: z.string() }, multipart: multipart({ files: {}, fields: { title: z.string() } }) }),
		).toThrow('extract: "title" is dropped by both query and multipart.');
	});

	it("accepts multipart beside other parts with other keys", () => {
		expect(() =>
			declare({ query: { page: z.string() }, multipart: multipart({ files: {}, fields: { title: z.string() } }) }),
		).not.toThrow();
	});
});

describe("extract at run time", () => {
	it("checks the parts in the order they are declared, answering the first that fails", async () => {
		const app = createApp({ environment: "TEST" });
		app
			.declareRoute("POST", "/x/{id}")
			.extract({ body: { name: z.string() }, params: { id: z.coerce.number() } })
			.handler((_floor, response) => unchecked(response).code(200).respond());
		const response = await app.inject({ method: "POST", url: "/x/nope", body: { name: 1 } });
		expect(response.info).toBe("TYPE_ERROR.body.name");
	});

	it("drops every key of every part once all of them pass", async () => {
		const app = createApp({ environment: "TEST" });
		app
			.declareRoute("POST", "/x/{id}")
			.extract({ params: { id: z.coerce.number() }, body: { name: z.string(), tags: z.array(z.string()) } })
			.handler(({ pickup }, response) =>
				unchecked(response)
					.code(200)
					.respond({ id: pickup("id"), name: pickup("name"), tags: pickup("tags") }),
			);
		const response = await app.inject({ method: "POST", url: "/x/4", body: { name: "Iop", tags: ["a"] } });
		expect(response.json()).toEqual({ id: 4, name: "Iop", tags: ["a"] });
	});

	it("answers TYPE_ERROR.<part> without a key when a per-key part is missing altogether", async () => {
		const app = createApp({ environment: "TEST" });
		app
			.declareRoute("POST", "/x")
			.extract({ body: { name: z.string() } })
			.handler((_floor, response) => unchecked(response).code(200).respond());
		const response = await app.inject({ method: "POST", url: "/x" });
		expect(response.info).toBe("TYPE_ERROR.body");
		expect(response.json()).toMatchObject({ error: "TYPE_ERROR", info: "TYPE_ERROR.body" });
	});
});

describe("what a shape reads", () => {
	it("reads parts when it declares any of params, query, headers, cookies or body", () => {
		expect(extractsParts({})).toBe(false);
		expect(extractsParts({ multipart: multipart({ files: {} }) })).toBe(false);
		for (const part of ["params", "query", "headers", "cookies", "body"])
			expect(extractsParts({ [part]: z.unknown() })).toBe(true);
	});

	it("reads the body only when it declares body", () => {
		expect(extractsBody(undefined)).toBe(false);
		expect(extractsBody({ query: z.unknown() })).toBe(false);
		expect(extractsBody({ body: z.unknown() })).toBe(true);
	});

	it("hands back its multipart declaration", () => {
		const form = multipart({ files: {} });
		expect(extractsMultipart(undefined)).toBeUndefined();
		expect(extractsMultipart({ multipart: form })).toBe(form);
	});
});
