// Specification of `multipart()` as a route declares it: the options it refuses and the message each refusal gives,
// its defaults, and the extract step's answer when a required file is missing or a field refuses its value.
import { tmpdir } from "node:os";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { answer, createApp, DeclarationError, type MultipartOptions, multipart, text } from "../../src/core/index.js";
import { formBody, tinyPng } from "../helpers/multipart-body.js";

const declare = (options: unknown) => () => multipart(options as MultipartOptions);
const png = { types: ["image/png"], maxBytes: 10 } as const;

describe("multipart() refuses", () => {
	it("what is not an object", () => {
		expect(declare(null)).toThrow(new DeclarationError("multipart() needs an object."));
		expect(declare("files")).toThrow(new DeclarationError("multipart() needs an object."));
	});

	it("an option it does not know", () => {
		expect(declare({ files: {}, limit: 3 })).toThrow(new DeclarationError('multipart(): unknown option "limit".'));
	});

	it("files that are not an object", () => {
		const message = "multipart(): files must be an object of file fields.";
		expect(declare({})).toThrow(new DeclarationError(message));
		expect(declare({ files: null })).toThrow(new DeclarationError(message));
	});

	it("a file field that is not an object, or has an option it does not know", () => {
		expect(declare({ files: { doc: null } })).toThrow(new DeclarationError("multipart().files.doc must be an object."));
		expect(declare({ files: { doc: 3 } })).toThrow(new DeclarationError("multipart().files.doc must be an object."));
		expect(declare({ files: { doc: { ...png, size: 1 } } })).toThrow(
			new DeclarationError('multipart().files.doc: unknown option "size".'),
		);
	});

	it("a file field with no type", () => {
		const message = "multipart().files.doc.types must list at least one type.";
		expect(declare({ files: { doc: { maxBytes: 1 } } })).toThrow(new DeclarationError(message));
		expect(declare({ files: { doc: { types: [], maxBytes: 1 } } })).toThrow(new DeclarationError(message));
		expect(declare({ files: { doc: { types: "image/png", maxBytes: 1 } } })).toThrow(new DeclarationError(message));
	});

	it("a type that is not a lower-case string", () => {
		expect(declare({ files: { doc: { types: ["Image/PNG"], maxBytes: 1 } } })).toThrow(
			new DeclarationError('multipart().files.doc.types: "Image/PNG" must be a lower-case media type.'),
		);
		expect(declare({ files: { doc: { types: [7], maxBytes: 1 } } })).toThrow(
			new DeclarationError('multipart().files.doc.types: "7" must be a lower-case media type.'),
		);
	});

	it("a type that cannot be recognised from the content", () => {
		expect(declare({ files: { doc: { types: ["application/json"], maxBytes: 1 } } })).toThrow(
			new DeclarationError(
				"multipart().files.doc.types: application/json cannot be recognised from its content (not a type file-type knows, nor text/*).",
			),
		);
		expect(declare({ files: { doc: { types: ["xtext/csv"], maxBytes: 1 } } })).toThrow(DeclarationError);
	});

	it("required that is not a boolean", () => {
		expect(declare({ files: { doc: { ...png, required: "yes" } } })).toThrow(
			new DeclarationError("multipart().files.doc.required must be true or false."),
		);
	});

	it("sizes and counts that are not positive integers, and a negative maxFields", () => {
		expect(declare({ files: { doc: { ...png, maxBytes: 0 } } })).toThrow(
			new DeclarationError("multipart().files.doc.maxBytes must be a positive integer."),
		);
		expect(declare({ files: { doc: { ...png, maxBytes: "9" } } })).toThrow(/maxBytes must be a positive integer/);
		expect(declare({ files: { doc: { ...png, maxBytes: 2 ** 53 } } })).toThrow(/maxBytes must be a positive integer/);
		expect(declare({ files: { doc: { ...png, maxCount: 0 } } })).toThrow(
			new DeclarationError("multipart().files.doc.maxCount must be a positive integer."),
		);
		expect(declare({ files: {}, maxFieldBytes: 0 })).toThrow(
			new DeclarationError("multipart().maxFieldBytes must be a positive integer."),
		);
		expect(declare({ files: {}, maxFields: -1 })).toThrow(
			new DeclarationError("multipart().maxFields must be a non-negative integer."),
		);
		expect(declare({ files: {}, maxFields: 0 })).not.toThrow();
		expect(declare({ files: { doc: { ...png, maxBytes: 1, maxCount: 1 } } })).not.toThrow();
	});

	it("an ordinary field that is no zod schema, or is also a file field", () => {
		expect(declare({ files: {}, fields: { note: "string" } })).toThrow(
			new DeclarationError("multipart().fields.note must be a zod schema."),
		);
		expect(declare({ files: { doc: png }, fields: { doc: z.string() } })).toThrow(
			new DeclarationError('multipart(): "doc" is both a file field and an ordinary field.'),
		);
	});

	it("a directory that is not a path", () => {
		expect(declare({ files: {}, directory: "" })).toThrow(
			new DeclarationError("multipart().directory must be a path."),
		);
		expect(declare({ files: {}, directory: 3 })).toThrow(new DeclarationError("multipart().directory must be a path."));
	});
});

describe("multipart() declares", () => {
	it("its defaults: one file, required, in the system's temporary directory, 64 KiB fields", () => {
		const form = multipart({
			files: { doc: { types: ["image/png", "text/csv"], maxBytes: 10 } },
			fields: { a: text() },
		});
		expect(form.directory).toBe(tmpdir());
		expect(form.maxFields).toBe(1);
		expect(form.maxFieldBytes).toBe(65_536);
		expect(form.files).toEqual([
			{
				name: "doc",
				types: ["image/png", "text/csv"],
				binaryTypes: ["image/png"],
				textTypes: ["text/csv"],
				maxBytes: 10,
				maxCount: 1,
				required: true,
			},
		]);
	});

	it("the keys it drops: its file fields, then its ordinary fields", () => {
		const form = multipart({
			files: { b: png, a: { ...png, required: false } },
			fields: { z: text(), y: text() },
		});
		expect(form.keys).toEqual(["b", "a", "z", "y"]);
		expect(form.files.map((field) => field.required)).toEqual([true, false]);
	});
});

describe("the multipart extract step", () => {
	const received = answer(
		200,
		"form.received",
		z.object({ count: z.number(), optional: z.boolean(), note: z.string() }),
	);

	function app() {
		const instance = createApp({ environment: "TEST" });
		instance
			.declareRoute("POST", "/form")
			.extract({
				multipart: multipart({
					files: {
						doc: { types: ["image/png"], maxBytes: 1_000 },
						extra: { types: ["image/png"], maxBytes: 1_000, maxCount: 2, required: false },
						single: { types: ["image/png"], maxBytes: 1_000, required: false },
					},
					fields: { note: text().min(2) },
					directory: tmpdir(),
				}),
			})
			.handler(
				({ pickup }, response) =>
					received.respond(response, {
						count: pickup("extra").length,
						optional: pickup("single") === undefined,
						note: pickup("note"),
					}),
				received,
			);
		return instance;
	}

	function send(parts: Parameters<typeof formBody>[0]) {
		const form = formBody(parts);
		return app().inject({
			method: "POST",
			url: "/form",
			headers: { "content-type": form.contentType },
			body: form.body,
		});
	}

	it("drops an empty list for a field of several files that got none, and undefined for an optional one", async () => {
		const response = await send([
			{ name: "doc", filename: "a.png", type: "image/png", content: tinyPng },
			{ name: "note", content: "hello" },
		]);
		expect(response.statusCode).toBe(200);
		expect(response.json()).toEqual({ count: 0, optional: true, note: "hello" });
	});

	it("answers every issue at once, under the first key: the missing file, then the fields", async () => {
		const response = await send([{ name: "note", content: "x" }]);
		expect(response.statusCode).toBe(400);
		expect(response.info).toBe("TYPE_ERROR.multipart.doc");
		const issues = response.json().issues as { path: unknown[]; code: string; message: string }[];
		expect(issues).toHaveLength(2);
		expect(issues[0]).toMatchObject({
			path: ["multipart", "doc"],
			code: "invalid_type",
			message: "Invalid input: expected a file, received none",
		});
		expect(issues[1]).toMatchObject({ path: ["multipart", "note"], code: "too_small" });
	});

	it("answers under the field's key when only a field is wrong", async () => {
		const response = await send([
			{ name: "doc", filename: "a.png", type: "image/png", content: tinyPng },
			{ name: "note", content: "x" },
		]);
		expect(response.info).toBe("TYPE_ERROR.multipart.note");
	});
});
