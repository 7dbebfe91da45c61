// Specification of text(): the string rule extract applies (no NUL, no unpaired surrogate), its pattern in OpenAPI, and the 400 it answers.
import { describe, expect, it } from "vitest";
import { z } from "zod";
import {
	createApp,
	extractErrorBodySchema,
	generateOpenApi,
	IHaveSentThis,
	storableTextCheck,
	storableTextPattern,
	text,
} from "../../src/core/index.js";

const samples = {
	storable: ["", "Iop", "é à ü", "😀 emoji pairs", "中文", "tab\tand\nnewline"],
	unstorable: ["a\u0000b", "\u0000", "a\uD800b", "\uDBFF", "\uDC00x", "😀\uDE00", "\uDE00\uD83D"],
};

describe("text()", () => {
	it("accepts any well-formed text without NUL", () => {
		for (const value of samples.storable) expect(text().safeParse(value).success, JSON.stringify(value)).toBe(true);
	});

	it("refuses NUL and unpaired surrogates, saying which", () => {
		for (const value of samples.unstorable) expect(text().safeParse(value).success, JSON.stringify(value)).toBe(false);
		expect(text().safeParse("a\u0000b").error?.issues[0]).toMatchObject({
			code: "invalid_format",
			message: expect.stringContaining("NUL"),
		});
		expect(text().safeParse("a\uD800b").error?.issues[0]).toMatchObject({
			code: "invalid_format",
			message: expect.stringContaining("surrogate"),
		});
	});

	it("keeps the rule through the string methods a route chains on it", () => {
		const name = text().trim().min(2).max(50).optional();
		expect(name.safeParse(" a\u0000b ").success).toBe(false);
		expect(name.parse("  Iop  ")).toBe("Iop");
		expect(z.email().check(storableTextCheck).safeParse("a\u0000b@example.test").success).toBe(false);
	});

	it("agrees with its documented pattern, read with or without the u flag", () => {
		for (const flags of ["", "u"]) {
			const pattern = new RegExp(storableTextPattern.source, flags);
			for (const value of samples.storable) expect(pattern.test(value), `${flags} ${JSON.stringify(value)}`).toBe(true);
			for (const value of samples.unstorable)
				expect(pattern.test(value), `${flags} ${JSON.stringify(value)}`).toBe(false);
		}
	});
});

describe("text() in a route", () => {
	function app() {
		const app = createApp({ environment: "TEST" });
		app
			.declareRoute("POST", "/things/{slug}")
			.extract({ params: { slug: text().regex(/^[a-z]+$/) }, body: { name: text().max(20) } })
			.handler(
				(_floor, response) => response.code(204).info("thing.created").send(),
				new IHaveSentThis(204, "thing.created"),
			);
		return app;
	}

	it("is written in the OpenAPI document as a pattern, beside any pattern of the route's own", () => {
		const document = generateOpenApi(app().routes, { info: { title: "t", version: "1" } });
		const operation = document.paths["/things/{slug}"]?.post;
		expect(operation?.parameters?.[0]?.schema).toMatchObject({
			pattern: "^[a-z]+$",
			allOf: [{ pattern: storableTextPattern.source }],
		});
		expect(operation?.requestBody?.content["application/json"]?.schema).toMatchObject({
			properties: { name: { type: "string", maxLength: 20, pattern: storableTextPattern.source } },
		});
	});

	it("answers 400 TYPE_ERROR.<part>.<key> with the declared extract body, which the TEST contract check accepts", async () => {
		const response = await app().inject({ method: "POST", url: "/things/abc", body: { name: "a\u0000b" } });
		expect(response.statusCode, response.body).toBe(400);
		expect(response.info).toBe("TYPE_ERROR.body.name");
		expect(extractErrorBodySchema.parse(response.json())).toEqual({
			error: "TYPE_ERROR",
			info: "TYPE_ERROR.body.name",
			issues: [
				{
					path: ["body", "name"],
					message: "Text must not contain the NUL character (U+0000).",
					code: "invalid_format",
				},
			],
		});
	});

	it("declares the extract 400 body in the document, merged with the body parser's", () => {
		const document = generateOpenApi(app().routes, { info: { title: "t", version: "1" } });
		const schema = document.paths["/things/{slug}"]?.post?.responses["400"]?.content?.["application/json"]?.schema as {
			anyOf: { required: string[] }[];
		};
		expect(schema.anyOf.map((one) => one.required)).toEqual([
			["error", "message"],
			["error", "info", "issues"],
		]);
	});
});
