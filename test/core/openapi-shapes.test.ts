// Specification of the details of generated OpenAPI operations: operation ids and tags at their edges, which
// parameters are listed, the multipart and optional request bodies, how the responses of one code are described
// (infos, bodies, headers, event streams) and the document's servers and security.
import { describe, expect, it } from "vitest";
import { z } from "zod";
import {
	createApp,
	createProcess,
	eventStream,
	generateOpenApi,
	IHaveSentThis,
	multipart,
	type OpenApiOptions,
	operationIdOf,
	text,
} from "../../src/core/index.js";
import { unchecked } from "../helpers/unchecked.js";

const info = { title: "Shapes", version: "1" };

function documentOf(declare: (app: ReturnType<typeof createApp>) => void, options: Partial<OpenApiOptions> = {}) {
	const app = createApp({ environment: "TEST" });
	declare(app);
	return generateOpenApi(app.routes, { info, ...options });
}

const ok = new IHaveSentThis(200, "ok");

describe("operation ids", () => {
	it("join the words of the path, with By before each parameter, splitting on any punctuation", () => {
		expect(operationIdOf("GET", "/")).toBe("get");
		expect(operationIdOf("DELETE", "/api//items/{item_id}/sub.parts")).toBe("deleteApiItemsByItemIdSubParts");
		expect(operationIdOf("patch", "/{a}")).toBe("patchByA");
	});

	it("are numbered from 2 when two paths differ only by punctuation", () => {
		const document = documentOf((app) => {
			for (const path of ["/a-b", "/a_b", "/a.b"])
				app.declareRoute("GET", path).handler((_floor, response) => response.code(200).info("ok").send(), ok);
		});
		expect(["/a-b", "/a_b", "/a.b"].map((path) => document.paths[path]?.get?.operationId)).toEqual([
			"getAB",
			"getAB2",
			"getAB3",
		]);
	});
});

describe("tags and summaries", () => {
	it("tag an operation with the path's first segment that is no parameter, or root", () => {
		const document = documentOf((app) => {
			for (const path of ["/{id}/items", "/{id}", "/"])
				app.declareRoute("GET", path).handler((_floor, response) => response.code(200).info("ok").send(), ok);
		});
		expect(document.paths["/{id}/items"]?.get?.tags).toEqual(["items"]);
		expect(document.paths["/{id}"]?.get?.tags).toEqual(["root"]);
		expect(document.paths["/{id}"]?.get?.summary).toBe("GET /{id}");
		expect(document.tags).toEqual([{ name: "items" }, { name: "root" }]);
		expect(document.openapi).toBe("3.1.0");
		expect(document.info).toEqual(info);
		expect(document.servers).toBeUndefined();
		expect(document.components).toEqual({ schemas: {} });
	});

	it("list the servers and security schemes given", () => {
		const servers = [{ url: "https://api.example", description: "live" }];
		const document = documentOf(() => {}, { servers, securitySchemes: { key: { type: "http", scheme: "bearer" } } });
		expect(document.servers).toEqual(servers);
		expect(document.components.securitySchemes).toEqual({ key: { type: "http", scheme: "bearer" } });
		expect(document.paths).toEqual({});
	});
});

describe("parameters", () => {
	it("leave out Accept, Content-Type and Authorization headers, in any case, and list the others once", () => {
		const document = documentOf((app) => {
			app
				.declareRoute("GET", "/things/{id}")
				.extract({
					params: { id: z.string() },
					headers: {
						Accept: z.string().optional(),
						"content-type": z.string().optional(),
						AUTHORIZATION: z.string().optional(),
						"x-trace": z.string(),
					},
				})
				.process(
					createProcess("again")
						.extract({ headers: { "x-trace": z.string() }, params: { id: z.string() } })
						.build([], new IHaveSentThis(401, "denied")),
				)
				.handler((_floor, response) => response.code(200).info("ok").send(), ok);
		});
		expect(document.paths["/things/{id}"]?.get?.parameters).toEqual([
			{ name: "id", in: "path", required: true, schema: { type: "string" } },
			{ name: "x-trace", in: "header", required: true, schema: { type: "string" } },
		]);
	});

	it("list a path parameter nobody extracts as a required string, and only the path's own parameters", () => {
		const document = documentOf((app) => {
			app
				.declareRoute("GET", ["/a/{x}", "/b/{y}"])
				.extract({ params: { x: z.coerce.number().optional() }, cookies: { theme: z.string().optional() } })
				.handler((_floor, response) => response.code(200).info("ok").send(), ok);
		});
		expect(document.paths["/a/{x}"]?.get?.parameters).toEqual([
			{ name: "x", in: "path", required: true, schema: { type: "number" } },
			{ name: "theme", in: "cookie", required: false, schema: { type: "string" } },
		]);
		expect(document.paths["/b/{y}"]?.get?.parameters).toEqual([
			{ name: "theme", in: "cookie", required: false, schema: { type: "string" } },
			{ name: "y", in: "path", required: true, schema: { type: "string" } },
		]);
	});

	it("are left out of an operation that has none", () => {
		const document = documentOf((app) => {
			app.declareRoute("GET", "/plain").handler((_floor, response) => response.code(200).info("ok").send(), ok);
		});
		expect(document.paths["/plain"]?.get).not.toHaveProperty("parameters");
		expect(document.paths["/plain"]?.get).not.toHaveProperty("requestBody");
		expect(document.paths["/plain"]?.get).not.toHaveProperty("security");
	});
});

describe("request bodies", () => {
	it("are optional when the body schema takes undefined", () => {
		const document = documentOf((app) => {
			app
				.declareRoute("POST", "/notes")
				.extract({ body: z.object({ text: z.string() }).optional() })
				.handler((_floor, response) => response.code(200).info("ok").send(), ok);
		});
		expect(document.paths["/notes"]?.post?.requestBody?.required).toBe(false);
	});

	it("describe a multipart form: its files as binary strings with their limits and types, then its fields", () => {
		const document = documentOf((app) => {
			app
				.declareRoute("POST", "/upload")
				.extract({
					multipart: multipart({
						files: {
							cover: { types: ["image/png", "image/jpeg"], maxBytes: 1_000 },
							pages: { types: ["application/pdf"], maxBytes: 5_000, maxCount: 3 },
							extras: { types: ["text/csv"], maxBytes: 10, maxCount: 2, required: false },
						},
						fields: { title: text(), note: text().optional() },
					}),
				})
				.handler((_floor, response) => response.code(200).info("ok").send(), ok);
		});
		const binary = (description: string) => ({ type: "string", format: "binary", description });
		expect(document.paths["/upload"]?.post?.requestBody).toEqual({
			required: true,
			content: {
				"multipart/form-data": {
					schema: {
						type: "object",
						properties: {
							cover: binary("At most 1000 bytes, of type image/png, image/jpeg (recognised from the content)."),
							pages: {
								type: "array",
								items: binary("At most 5000 bytes, of type application/pdf (recognised from the content)."),
								maxItems: 3,
								minItems: 1,
							},
							extras: {
								type: "array",
								items: binary("At most 10 bytes, of type text/csv (recognised from the content)."),
								maxItems: 2,
							},
							title: expect.objectContaining({ type: "string" }),
							note: expect.objectContaining({ type: "string" }),
						},
						required: ["cover", "pages", "title"],
					},
					encoding: {
						cover: { contentType: "image/png, image/jpeg" },
						pages: { contentType: "application/pdf" },
						extras: { contentType: "text/csv" },
					},
				},
			},
		});
	});

	it("of a form where nothing is required are optional, and list no required keys", () => {
		const document = documentOf((app) => {
			app
				.declareRoute("POST", "/upload")
				.extract({
					multipart: multipart({ files: { doc: { types: ["text/csv"], maxBytes: 10, required: false } } }),
				})
				.handler((_floor, response) => response.code(200).info("ok").send(), ok);
		});
		const body = document.paths["/upload"]?.post?.requestBody;
		expect(body?.required).toBe(false);
		expect(body?.content["multipart/form-data"]?.schema).not.toHaveProperty("required");
	});
});

describe("responses", () => {
	it("are keyed by code in increasing order, each info once", () => {
		const document = documentOf((app) => {
			app
				.declareRoute("GET", "/r")
				.handler(
					(_floor, response) => response.code(200).info("ok").send(),
					new IHaveSentThis(404, "missing"),
					ok,
					new IHaveSentThis(201, "made"),
					new IHaveSentThis(404, "gone"),
				);
		});
		const responses = document.paths["/r"]?.get?.responses ?? {};
		expect(Object.keys(responses)).toEqual(["200", "201", "404", "500"]);
		expect(responses["404"]).toEqual({
			description: "- `missing`\n- `gone`",
			headers: {
				info: { description: "The outcome, machine-readable.", schema: { type: "string", enum: ["missing", "gone"] } },
			},
			"x-infos": ["missing", "gone"],
		});
	});

	it("say which infos of a code have no declared body, and give distinct bodies as anyOf", () => {
		const document = documentOf((app) => {
			app
				.declareRoute("GET", "/r")
				.handler(
					(_floor, response) => response.code(200).info("bare").send(),
					new IHaveSentThis(200, "one", z.object({ a: z.string() })),
					new IHaveSentThis(200, "two", z.object({ b: z.number() })),
					new IHaveSentThis(200, "same", z.object({ a: z.string() })),
					new IHaveSentThis(200, ["bare", "plain"]),
				);
		});
		const answer = document.paths["/r"]?.get?.responses["200"];
		expect(answer?.description).toBe(
			"- `one`\n- `two`\n- `same`\n- `bare`\n- `plain`\n\nNo declared body: `bare`, `plain`.",
		);
		expect(answer?.content?.["application/json"]?.schema).toEqual({
			anyOf: [
				{ type: "object", properties: { a: { type: "string" } }, required: ["a"], additionalProperties: false },
				{ type: "object", properties: { b: { type: "number" } }, required: ["b"], additionalProperties: false },
			],
		});
	});

	it("of a code with no body at all have no content", () => {
		const document = documentOf((app) => {
			app.declareRoute("GET", "/r").handler((_floor, response) => response.code(200).info("ok").send(), ok);
		});
		expect(document.paths["/r"]?.get?.responses["200"]).not.toHaveProperty("content");
	});

	it("list the headers an error answer sends, and say with which info", () => {
		const document = documentOf(
			(app) => {
				app.declareRoute("GET", "/r").handler((_floor, response) => response.code(200).info("ok").send(), ok);
			},
			{
				errorAnswers: [
					{
						code: 503,
						info: "DATABASE_UNAVAILABLE",
						message: "Try again.",
						headers: { "retry-after": "1" },
						matches: () => false,
					},
				],
			},
		);
		expect(document.paths["/r"]?.get?.responses["503"]?.headers).toEqual({
			info: {
				description: "The outcome, machine-readable.",
				schema: { type: "string", enum: ["DATABASE_UNAVAILABLE"] },
			},
			"retry-after": { description: "Sent with `DATABASE_UNAVAILABLE`.", schema: { type: "string" } },
		});
	});

	it("of an event stream without an event schema are text alone", () => {
		const stream = eventStream(200, "s.stream");
		const document = documentOf((app) => {
			app.declareRoute("GET", "/s").handler((_floor, response) => stream.respond(response, {}, () => {}), stream);
		});
		expect(document.paths["/s"]?.get?.responses["200"]?.content).toEqual({
			"text/event-stream": {
				schema: { type: "string", description: "Server-sent events: `id:`, `event:` and `data:` lines." },
			},
		});
	});
});

describe("security", () => {
	const guard = createProcess("guard").build([], new IHaveSentThis(401, "denied"));
	const inner = createProcess("inner").process(guard).build([], new IHaveSentThis(403, "forbidden"));

	it("lists each requirement once, though two processes require it", () => {
		const document = documentOf(
			(app) => {
				app
					.declareRoute("GET", "/s")
					.process(inner)
					.handler((_floor, response) => unchecked(response).code(200).info("ok").send());
			},
			{ securityByProcess: { guard: [{ key: [] }], inner: [{ key: [] }, { cookie: [] }] } },
		);
		expect(document.paths["/s"]?.get?.security).toEqual([{ key: [] }, { cookie: [] }]);
	});

	it("is left out when no process the route uses requires any", () => {
		const document = documentOf(
			(app) => {
				app
					.declareRoute("GET", "/s")
					.process(guard)
					.handler((_floor, response) => unchecked(response).code(200).info("ok").send());
			},
			{ securityByProcess: { other: [{ key: [] }], guard: [] } },
		);
		expect(document.paths["/s"]?.get).not.toHaveProperty("security");
	});
});
