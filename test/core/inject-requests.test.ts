// What app.inject builds from its options: method, url and query, headers, cookies, body and client address.
import { describe, expect, it } from "vitest";
import { createApp, type Request } from "../../src/core/index.js";
import { buildInjectedRequest } from "../../src/core/inject.js";
import { unchecked } from "../helpers/unchecked.js";

function echo(read: (request: Request) => unknown) {
	const app = createApp({ environment: "TEST" });
	for (const method of ["GET", "POST"] as const)
		app.declareRoute(method, "/r").handler((_floor, response, request) =>
			unchecked(response)
				.code(200)
				.respond({ read: read(request) ?? null }),
		);
	return app;
}

describe("app.inject", () => {
	it("sends GET by default, and upper-cases the method given", async () => {
		const app = echo((request) => request.method);
		expect((await app.inject({ url: "/r" })).json().read).toBe("GET");
		expect((await app.inject({ method: "post", url: "/r" })).json().read).toBe("POST");
	});

	it("appends query values to the url, repeating arrays and skipping undefined ones", async () => {
		const app = echo((request) => request.url);
		const response = await app.inject({ url: "/r", query: { a: 1, b: ["x", 2], c: undefined, d: true } });
		expect(response.json().read).toBe("/r?a=1&b=x&b=2&d=true");
		expect((await app.inject({ url: "/r?z=0", query: { a: "1" } })).json().read).toBe("/r?z=0&a=1");
		expect((await app.inject({ url: "/r", query: {} })).json().read).toBe("/r");
		expect((await app.inject({ url: "/r", query: { gone: undefined } })).json().read).toBe("/r");
	});

	it("lower-cases header names and drops undefined headers", () => {
		const raw = buildInjectedRequest({ url: "/r", headers: { "X-Trace": "1", "x-gone": undefined } });
		expect(raw.headers).toEqual({ "x-trace": "1" });
	});

	it("joins cookies to a cookie header given", () => {
		const raw = buildInjectedRequest({ url: "/r", headers: { cookie: "a=1" }, cookies: { b: "2", c: "x y" } });
		expect(raw.headers.cookie).toBe("a=1; b=2; c=x%20y");
		expect(buildInjectedRequest({ url: "/r", cookies: { b: "2" } }).headers.cookie).toBe("b=2");
	});

	it("sends strings as text and objects as JSON unless a content type is given, with their length", () => {
		const text = buildInjectedRequest({ url: "/r", body: "héllo" });
		expect(text.headers["content-type"]).toBe("text/plain; charset=utf-8");
		expect(text.headers["content-length"]).toBe(String(Buffer.byteLength("héllo")));
		const json = buildInjectedRequest({ url: "/r", body: { a: 1 } });
		expect(json.headers["content-type"]).toBe("application/json");
		expect(json.payload?.toString()).toBe('{"a":1}');
		const given = buildInjectedRequest({ url: "/r", headers: { "content-type": "text/csv" }, body: "a,b" });
		expect(given.headers["content-type"]).toBe("text/csv");
		const bytes = buildInjectedRequest({ url: "/r", body: Buffer.from([1, 2]) });
		expect(bytes.headers["content-type"]).toBeUndefined();
		expect(bytes.headers["content-length"]).toBe("2");
	});

	it("sends an empty payload and no length without a body", () => {
		const raw = buildInjectedRequest({ url: "/r" });
		expect(raw.payload?.length).toBe(0);
		expect(raw.headers["content-length"]).toBeUndefined();
	});

	it("comes from 127.0.0.1 unless told otherwise", async () => {
		const app = echo((request) => request.ip);
		expect((await app.inject({ url: "/r" })).json().read).toBe("127.0.0.1");
		expect((await app.inject({ url: "/r", remoteAddress: "10.1.2.3" })).json().read).toBe("10.1.2.3");
	});

	it("collects status, headers, info and body", async () => {
		const app = createApp({ environment: "TEST" });
		app
			.declareRoute("GET", "/r")
			.handler((_floor, response) => unchecked(response).code(201).info("made").header("X-Made", "yes").respond("ok"));
		const response = await app.inject({ url: "/r" });
		expect([response.statusCode, response.info, response.headers["x-made"], response.body]).toEqual([
			201,
			"made",
			"yes",
			"ok",
		]);
		expect(response.rawBody.toString()).toBe("ok");
	});
});
