// How route paths are written and joined to the app prefix: the root route, slashes, `{param}` names, long params.
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { createApp, DeclarationError } from "../../src/core/index.js";
import { joinPath, Router, toRouterPath } from "../../src/core/router.js";
import { unchecked } from "../helpers/unchecked.js";

function rootApp(prefix?: string) {
	const app = createApp({ environment: "TEST", ...(prefix === undefined ? {} : { prefix }) });
	app.declareRoute("GET", "/").handler((_floor, response) => unchecked(response).code(200).info("root").respond());
	return app;
}

describe("the root route", () => {
	it("is served at / when the app has no prefix", async () => {
		expect(await rootApp().inject({ url: "/" })).toAnswer(200, "root");
	});

	it("is served at the prefix itself, with or without a trailing slash", async () => {
		const app = rootApp("/api");
		expect(await app.inject({ url: "/api" })).toAnswer(200, "root");
		expect(await app.inject({ url: "/api/" })).toAnswer(200, "root");
		expect((await app.inject({ url: "/" })).statusCode).toBe(404);
	});
});

describe("joinPath", () => {
	it("keeps the root as /", () => {
		expect(joinPath("", "/")).toBe("/");
		expect(joinPath("", "")).toBe("/");
	});

	it("puts one slash between the parts and none at the end", () => {
		expect(joinPath("/api/", "/users/")).toBe("/api/users");
		expect(joinPath("api", "users")).toBe("/api/users");
		expect(joinPath("", "//a///b/")).toBe("/a/b");
		expect(joinPath("/api", "/")).toBe("/api");
	});
});

describe("toRouterPath", () => {
	it("turns every {param} into :param, with _ and $ in names", () => {
		expect(toRouterPath("/users/{id}/items/{item_Id$2}")).toBe("/users/:id/items/:item_Id$2");
		expect(toRouterPath("/{_a}/{$b}")).toBe("/:_a/:$b");
	});

	it("leaves braces that do not hold a name", () => {
		expect(toRouterPath("/a/{1x}/{}")).toBe("/a/{1x}/{}");
	});
});

describe("Router", () => {
	it("refuses a second route for the same method and path, in either syntax", () => {
		const router = new Router<string>();
		router.add("GET", "/users/{id}", "first");
		expect(router.has("GET", "/users/{id}")).toBe(true);
		expect(router.has("POST", "/users/{id}")).toBe(false);
		expect(() => router.add("GET", "/users/{id}", "second")).toThrow(
			new DeclarationError("Two routes are declared for GET /users/{id}."),
		);
	});

	it("finds a route with its params, and lists the methods a path has", () => {
		const router = new Router<string>();
		router.add("GET", "/users/{id}", "get");
		router.add("PUT", "/users/{id}", "put");
		router.add("POST", "/users", "post");
		expect(router.find("GET", "/users/7")).toMatchObject({ store: "get", params: { id: "7" } });
		expect(router.find("DELETE", "/users/7")).toBeNull();
		expect(router.allowedMethods("/users/7")).toEqual(["GET", "PUT"]);
		expect(router.allowedMethods("/nowhere")).toEqual([]);
	});

	it("matches params of several hundred characters", async () => {
		const app = createApp({ environment: "TEST" });
		app
			.declareRoute("GET", "/tokens/{token}")
			.extract({ params: { token: z.string() } })
			.handler(({ pickup }, response) =>
				unchecked(response)
					.code(200)
					.respond({ length: pickup("token").length }),
			);
		const response = await app.inject({ url: `/tokens/${"t".repeat(500)}` });
		expect(response.json()).toEqual({ length: 500 });
	});
});
