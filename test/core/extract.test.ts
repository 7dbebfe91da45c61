import { describe, expect, it } from "vitest";
import { z } from "zod";
import { createApp } from "../../src/core/index.js";
import { unchecked } from "../helpers/unchecked.js";

describe("extract", () => {
	const app = createApp({ environment: "TEST" });
	app
		.declareRoute("POST", "/items/{id}")
		.extract({
			params: { id: z.coerce.number().int().positive() },
			query: { tags: z.array(z.string()).optional(), page: z.coerce.number().default(1) },
			headers: { "x-client": z.string().min(1) },
			cookies: { theme: z.enum(["dark", "light"]).optional() },
			body: { name: z.string().min(2), count: z.number().int() },
		})
		.handler(({ pickup }, response) =>
			unchecked(response)
				.code(200)
				.send({
					id: pickup("id"),
					tags: pickup("tags"),
					page: pickup("page"),
					client: pickup("x-client"),
					theme: pickup("theme"),
					name: pickup("name"),
					count: pickup("count"),
				}),
		);
	app
		.declareRoute("POST", "/whole")
		.extract({ query: z.object({ q: z.string() }), body: z.object({ list: z.array(z.number()) }) })
		.handler(({ pickup }, response) =>
			unchecked(response)
				.code(200)
				.send({ query: pickup("query"), body: pickup("body") }),
		);

	const valid = {
		method: "POST",
		url: "/items/3?tags=a&tags=b&page=2",
		headers: { "x-client": "web" },
		cookies: { theme: "dark" },
		body: { name: "Iop", count: 4 },
	};

	it("drops each key of params, query, headers, cookies and body, coerced by zod", async () => {
		const response = await app.inject(valid);
		expect(response.statusCode).toBe(200);
		expect(response.json()).toEqual({
			id: 3,
			tags: ["a", "b"],
			page: 2,
			client: "web",
			theme: "dark",
			name: "Iop",
			count: 4,
		});
	});

	it("drops a part validated by one schema under the part's name", async () => {
		const response = await app.inject({ method: "POST", url: "/whole?q=x", body: { list: [1, 2] } });
		expect(response.json()).toEqual({ query: { q: "x" }, body: { list: [1, 2] } });
	});

	it("turns a repeated query key into an array", async () => {
		const response = await app.inject({ ...valid, url: "/items/3?tags=x&tags=y&tags=z" });
		expect(response.json().tags).toEqual(["x", "y", "z"]);
	});

	it("answers 400 TYPE_ERROR.params.id for a bad param, with the issues", async () => {
		const response = await app.inject({ ...valid, url: "/items/abc" });
		expect(response.statusCode).toBe(400);
		expect(response.info).toBe("TYPE_ERROR.params.id");
		const body = response.json();
		expect(body.error).toBe("TYPE_ERROR");
		expect(body.issues[0]).toMatchObject({ path: ["params", "id"], code: "invalid_type" });
		expect(typeof body.issues[0].message).toBe("string");
	});

	it("names the header, cookie and body key that failed", async () => {
		expect((await app.inject({ ...valid, headers: {} })).info).toBe("TYPE_ERROR.headers.x-client");
		expect((await app.inject({ ...valid, cookies: { theme: "pink" } })).info).toBe("TYPE_ERROR.cookies.theme");
		expect((await app.inject({ ...valid, body: { name: "I", count: 4 } })).info).toBe("TYPE_ERROR.body.name");
		expect((await app.inject({ ...valid, body: { name: "Iop", count: 1.5 } })).info).toBe("TYPE_ERROR.body.count");
	});

	it("answers TYPE_ERROR.<part> when a whole-part schema fails", async () => {
		const response = await app.inject({ method: "POST", url: "/whole?q=x", body: { list: ["no"] } });
		expect(response.info).toBe("TYPE_ERROR.body");
		expect(response.json().issues[0].path).toEqual(["body", "list", 0]);
	});

	it("answers TYPE_ERROR.body when the body is missing altogether", async () => {
		const response = await app.inject({ method: "POST", url: "/items/3", headers: { "x-client": "web" } });
		expect(response.statusCode).toBe(400);
		expect(response.info).toBe("TYPE_ERROR.body");
		expect(response.json().issues[0]).toMatchObject({ path: ["body"], code: "invalid_type" });
	});

	it("stops at the first failing part: later steps do not run", async () => {
		const local = createApp({ environment: "TEST" });
		let ran = false;
		local
			.declareRoute("GET", "/x/{n}")
			.extract({ params: { n: z.coerce.number() } })
			.cut(() => {
				ran = true;
			})
			.handler((_floor, response) => response.send());
		await local.inject({ url: "/x/nope" });
		expect(ran).toBe(false);
	});

	it("lets a route answer bad input its own way", async () => {
		const local = createApp({ environment: "TEST" });
		local
			.declareRoute("GET", "/x/{n}")
			.extract({ params: { n: z.coerce.number() } }, (response, part, key, error) =>
				response.code(422).info("custom.invalid").send({ part, key, count: error.issues.length }),
			)
			.handler((_floor, response) => response.send());
		const response = await local.inject({ url: "/x/nope" });
		expect(response.statusCode).toBe(422);
		expect(response.json()).toEqual({ part: "params", key: "n", count: 1 });
	});

	it("lets the app answer bad input its own way for every route", async () => {
		const local = createApp({ environment: "TEST" });
		local.setExtractErrorHandler((response, part) => response.code(400).info(`invalid.${part}`).send());
		local
			.declareRoute("GET", "/x")
			.extract({ query: { n: z.coerce.number() } })
			.handler((_floor, response) => response.send());
		expect((await local.inject({ url: "/x?n=a" })).info).toBe("invalid.query");
	});

	it("answers 500 when an extract error handler forgets to send", async () => {
		const local = createApp({ environment: "TEST" });
		local
			.declareRoute("GET", "/x")
			.extract({ query: { n: z.coerce.number() } }, () => undefined)
			.handler((_floor, response) => response.send());
		const response = await local.inject({ url: "/x?n=a" });
		expect(response.statusCode).toBe(500);
		expect(response.info).toBe("NO_RESPONSE_SENT");
	});
});
