import { describe, expect, it } from "vitest";
import { z } from "zod";
import { createApp, DeclarationError } from "../../src/core/index.js";
import { unchecked } from "../helpers/unchecked.js";

function appWithUsers() {
	const app = createApp({ environment: "TEST" });
	app
		.declareRoute("GET", "/users/{id}")
		.extract({ params: { id: z.string() } })
		.handler(({ pickup }, response) =>
			unchecked(response)
				.code(200)
				.info("user.found")
				.send({ id: pickup("id") }),
		);
	app
		.declareRoute("DELETE", "/users/{id}")
		.handler((_floor, response) => unchecked(response).code(204).info("user.deleted").send());
	app
		.declareRoute("POST", ["/a", "/b"])
		.handler((_floor, response, request) => unchecked(response).code(200).send({ matched: request.matchedPath }));
	return app;
}

describe("router", () => {
	it("matches {param} paths and hands params to extract", async () => {
		const response = await appWithUsers().inject({ url: "/users/42" });
		expect(response.statusCode).toBe(200);
		expect(response.info).toBe("user.found");
		expect(response.json()).toEqual({ id: "42" });
	});

	it("decodes percent-encoded params", async () => {
		const response = await appWithUsers().inject({ url: "/users/jean%20pierre" });
		expect(response.json()).toEqual({ id: "jean pierre" });
	});

	it("tolerates a trailing slash", async () => {
		const app = appWithUsers();
		expect((await app.inject({ url: "/users/7/" })).statusCode).toBe(200);
	});

	it("prefers a path without parameters over a parameter in its place, with or without a trailing slash", async () => {
		const app = appWithUsers();
		app
			.declareRoute("GET", "/users/me")
			.handler((_floor, response, request) =>
				unchecked(response).code(200).info("me.found").send({ params: request.params }),
			);
		for (const url of ["/users/me", "/users/me/"]) {
			const response = await app.inject({ url });
			expect(response.info).toBe("me.found");
			expect(response.json()).toEqual({ params: {} });
		}
		expect((await app.inject({ url: "/users/42" })).json()).toEqual({ id: "42" });
	});

	it("gives every request to a path without parameters its own params object", async () => {
		const app = createApp({ environment: "TEST" });
		app.declareRoute("GET", "/count").handler((_floor, response, request) => {
			const seen = Object.keys(request.params).length;
			request.params.visited = "yes";
			return unchecked(response).code(200).send({ seen });
		});
		expect((await app.inject({ url: "/count" })).json()).toEqual({ seen: 0 });
		expect((await app.inject({ url: "/count" })).json()).toEqual({ seen: 0 });
	});

	it("serves every path of a route declared with several", async () => {
		const app = appWithUsers();
		expect((await app.inject({ method: "POST", url: "/a" })).json()).toEqual({ matched: "/a" });
		expect((await app.inject({ method: "POST", url: "/b" })).json()).toEqual({ matched: "/b" });
	});

	it("answers an unknown path with 404 NOT_FOUND as JSON", async () => {
		const response = await appWithUsers().inject({ url: "/nothing/here" });
		expect(response.statusCode).toBe(404);
		expect(response.info).toBe("NOT_FOUND");
		expect(response.headers["content-type"]).toContain("application/json");
		expect(response.json()).toMatchObject({ error: "NOT_FOUND" });
	});

	it("answers a known path with another method with 405 and an Allow header", async () => {
		const response = await appWithUsers().inject({ method: "PUT", url: "/users/1" });
		expect(response.statusCode).toBe(405);
		expect(response.info).toBe("METHOD_NOT_ALLOWED");
		expect(String(response.headers.allow).split(", ").sort()).toEqual(["DELETE", "GET", "HEAD"]);
	});

	it("serves HEAD for every GET route, with headers and no body", async () => {
		const app = appWithUsers();
		const get = await app.inject({ url: "/users/5" });
		const head = await app.inject({ method: "HEAD", url: "/users/5" });
		expect(head.statusCode).toBe(200);
		expect(head.body).toBe("");
		expect(head.headers["content-length"]).toBe(get.headers["content-length"]);
		expect(head.info).toBe("user.found");
	});

	it("prefers a declared HEAD route over the GET one", async () => {
		const app = createApp({ environment: "TEST" });
		app.declareRoute("GET", "/x").handler((_floor, response) => unchecked(response).code(200).send("get"));
		app.declareRoute("HEAD", "/x").handler((_floor, response) => unchecked(response).code(200).info("head.own").send());
		expect((await app.inject({ method: "HEAD", url: "/x" })).info).toBe("head.own");
	});

	it("puts the app prefix before every path", async () => {
		const app = createApp({ environment: "TEST", prefix: "/api" });
		app.declareRoute("GET", "/ping").handler((_floor, response) => unchecked(response).code(200).send("pong"));
		expect((await app.inject({ url: "/api/ping" })).body).toBe("pong");
		expect((await app.inject({ url: "/ping" })).statusCode).toBe(404);
		expect(app.routes[0]?.paths).toEqual(["/api/ping"]);
	});

	it("refuses two routes for the same method and path", () => {
		const app = createApp({ environment: "TEST" });
		app.declareRoute("GET", "/twice").handler((_floor, response) => response.send());
		app.declareRoute("GET", "/twice/").handler((_floor, response) => response.send());
		expect(() => app.ready()).toThrow(DeclarationError);
	});

	it("refuses routes declared after the app was built", async () => {
		const app = appWithUsers();
		await app.inject({ url: "/users/1" });
		expect(() => app.declareRoute("GET", "/late").handler((_floor, response) => response.send())).toThrow(
			/already built/,
		);
	});
});
