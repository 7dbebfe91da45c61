// What a step reads from its request: method, url and path, query, cookies, the request id and the client address.
import { describe, expect, it } from "vitest";
import { createApp, type Request } from "../../src/core/index.js";
import { unchecked } from "../helpers/unchecked.js";

/** Answers with what `read` takes from the request. */
function reading(read: (request: Request) => unknown, trustProxy?: number) {
	const app = createApp({ environment: "TEST", ...(trustProxy === undefined ? {} : { trustProxy }) });
	for (const method of ["GET", "POST"] as const)
		app.declareRoute(method, "/r/{id}").handler((_floor, response, request) =>
			unchecked(response)
				.code(200)
				.respond({ read: read(request) ?? null }),
		);
	return (options: Parameters<typeof app.inject>[0]) => app.inject(options).then((response) => response.json().read);
}

describe("request", () => {
	it("knows its method, url, path and matched path", async () => {
		const read = reading((request) => [request.method, request.url, request.path, request.matchedPath]);
		expect(await read({ method: "POST", url: "/r/7?x=1" })).toEqual(["POST", "/r/7?x=1", "/r/7", "/r/{id}"]);
	});

	it("reads the query, a repeated key as an array, and an empty query as no keys", async () => {
		const read = reading((request) => request.query);
		expect(await read({ url: "/r/1?a=1&b=x&b=y" })).toEqual({ a: "1", b: ["x", "y"] });
		expect(await read({ url: "/r/1" })).toEqual({});
		expect(await read({ url: "/r/1?" })).toEqual({});
	});

	it("reads cookies, and no cookies without the header", async () => {
		const read = reading((request) => request.cookies);
		expect(await read({ url: "/r/1", headers: { cookie: "a=1; theme=dark" } })).toEqual({ a: "1", theme: "dark" });
		expect(await read({ url: "/r/1" })).toEqual({});
	});

	it("keeps a request id of up to 128 safe characters, and replaces a longer one", async () => {
		const read = reading((request) => request.id);
		const longest = `a.b:c-${"x".repeat(122)}`;
		expect(await read({ url: "/r/1", headers: { "x-request-id": longest } })).toBe(longest);
		const tooLong = "y".repeat(129);
		expect(await read({ url: "/r/1", headers: { "x-request-id": tooLong } })).not.toBe(tooLong);
		expect(await read({ url: "/r/1", headers: { "x-request-id": "" } })).not.toBe("");
		expect(await read({ url: "/r/1", headers: { "x-request-id": ["a", "b"] } })).toMatch(/^[\w-]+-[0-9a-z]+$/);
	});

	it("gives fresh ids that differ from one request to the next", async () => {
		const read = reading((request) => request.id);
		const ids = new Set(await Promise.all([1, 2, 3].map(() => read({ url: "/r/1" }))));
		expect(ids.size).toBe(3);
	});
});

describe("request.ip", () => {
	it("is the socket's peer when no proxy is trusted, whatever x-forwarded-for says", async () => {
		const read = reading((request) => request.ip);
		expect(await read({ url: "/r/1", remoteAddress: "10.0.0.2", headers: { "x-forwarded-for": "6.6.6.6" } })).toBe(
			"10.0.0.2",
		);
	});

	it("is the entry that many hops from the end of x-forwarded-for behind trusted proxies", async () => {
		const one = reading((request) => request.ip, 1);
		const forwarded = { "x-forwarded-for": "1.1.1.1, 2.2.2.2 ,3.3.3.3" };
		expect(await one({ url: "/r/1", remoteAddress: "10.0.0.2", headers: forwarded })).toBe("3.3.3.3");
		const two = reading((request) => request.ip, 2);
		expect(await two({ url: "/r/1", remoteAddress: "10.0.0.2", headers: forwarded })).toBe("2.2.2.2");
	});

	it("is the first entry when more proxies are trusted than the header lists", async () => {
		const five = reading((request) => request.ip, 5);
		expect(await five({ url: "/r/1", headers: { "x-forwarded-for": "1.1.1.1,2.2.2.2" } })).toBe("1.1.1.1");
	});

	it("is the socket's peer behind a trusted proxy when x-forwarded-for is missing or empty", async () => {
		const read = reading((request) => request.ip, 1);
		expect(await read({ url: "/r/1", remoteAddress: "10.0.0.3" })).toBe("10.0.0.3");
		expect(await read({ url: "/r/1", remoteAddress: "10.0.0.3", headers: { "x-forwarded-for": "" } })).toBe("10.0.0.3");
		expect(await read({ url: "/r/1", remoteAddress: "10.0.0.3", headers: { "x-forwarded-for": " , " } })).toBe(
			"10.0.0.3",
		);
	});

	it("refuses a trustProxy that is not a whole number of proxies", () => {
		for (const trustProxy of [-1, 1.5])
			expect(() => createApp({ environment: "TEST", trustProxy })).toThrow(
				"trustProxy must be a whole number of proxies (0 or more).",
			);
	});
});
