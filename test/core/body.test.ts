import { describe, expect, it } from "vitest";
import { z } from "zod";
import { createApp } from "../../src/core/index.js";
import { unchecked } from "../helpers/unchecked.js";

function echoApp(options: { bodyLimit?: number; routeLimit?: number } = {}) {
	const app = createApp({
		environment: "TEST",
		...(options.bodyLimit === undefined ? {} : { bodyLimit: options.bodyLimit }),
	});
	app
		.declareRoute("POST", "/echo")
		.extract({ body: z.unknown() })
		.handler(({ pickup }, response) =>
			unchecked(response)
				.code(200)
				.send({ body: pickup("body") ?? null }),
		);
	app
		.declareRoute("POST", "/small", options.routeLimit === undefined ? {} : { bodyLimit: options.routeLimit })
		.extract({ body: z.unknown() })
		.handler((_floor, response) => unchecked(response).code(200).send({ ok: true }));
	return app;
}

describe("request body", () => {
	it("parses JSON, including +json media types", async () => {
		const app = echoApp();
		expect((await app.inject({ method: "POST", url: "/echo", body: { a: [1, 2] } })).json()).toEqual({
			body: { a: [1, 2] },
		});
		const problem = await app.inject({
			method: "POST",
			url: "/echo",
			headers: { "content-type": "application/merge-patch+json" },
			body: Buffer.from('{"b":true}'),
		});
		expect(problem.json()).toEqual({ body: { b: true } });
	});

	it("parses text and urlencoded forms", async () => {
		const app = echoApp();
		expect((await app.inject({ method: "POST", url: "/echo", body: "plain words" })).json()).toEqual({
			body: "plain words",
		});
		const form = await app.inject({
			method: "POST",
			url: "/echo",
			headers: { "content-type": "application/x-www-form-urlencoded" },
			body: Buffer.from("name=Iop&tag=a&tag=b"),
		});
		expect(form.json()).toEqual({ body: { name: "Iop", tag: ["a", "b"] } });
	});

	it("answers malformed JSON with 400 BODY_PARSE_ERROR, not a 500", async () => {
		const response = await echoApp().inject({
			method: "POST",
			url: "/echo",
			headers: { "content-type": "application/json" },
			body: Buffer.from('{"a":'),
		});
		expect(response.statusCode).toBe(400);
		expect(response.info).toBe("BODY_PARSE_ERROR");
		expect(response.json().error).toBe("BODY_PARSE_ERROR");
		expect(response.body).not.toMatch(/at JSON\.parse|\n\s+at /);
	});

	it("answers an unsupported content type with 415", async () => {
		const response = await echoApp().inject({
			method: "POST",
			url: "/echo",
			headers: { "content-type": "application/xml" },
			body: Buffer.from("<a/>"),
		});
		expect(response.statusCode).toBe(415);
		expect(response.info).toBe("UNSUPPORTED_MEDIA_TYPE");
	});

	it("answers a body without content type with 415", async () => {
		const response = await echoApp().inject({ method: "POST", url: "/echo", body: Buffer.from("??") });
		expect(response.statusCode).toBe(415);
	});

	it("answers a body over the app limit with 413", async () => {
		const app = echoApp({ bodyLimit: 32 });
		expect((await app.inject({ method: "POST", url: "/echo", body: { text: "x".repeat(10) } })).statusCode).toBe(200);
		const response = await app.inject({ method: "POST", url: "/echo", body: { text: "x".repeat(40) } });
		expect(response.statusCode).toBe(413);
		expect(response.info).toBe("PAYLOAD_TOO_LARGE");
	});

	it("applies a route's own limit over the app's", async () => {
		const app = echoApp({ routeLimit: 8 });
		expect((await app.inject({ method: "POST", url: "/small", body: { text: "x".repeat(20) } })).statusCode).toBe(413);
		expect((await app.inject({ method: "POST", url: "/echo", body: { text: "x".repeat(20) } })).statusCode).toBe(200);
	});

	it("leaves an empty body undefined", async () => {
		const response = await echoApp().inject({
			method: "POST",
			url: "/echo",
			headers: { "content-type": "application/json", "content-length": "0" },
		});
		expect(response.json()).toEqual({ body: null });
	});
});
