// What a step sets on its response: header names in any case, cookies added to what is there, clearing a
// cookie, respond() once, and the response signal told apart from other errors.
import { describe, expect, it } from "vitest";
import {
	createApp,
	isResponseSignal,
	type Response,
	ResponseAlreadySentError,
	ResponseSignal,
} from "../../src/core/index.js";
import { unchecked } from "../helpers/unchecked.js";

function single(handler: (response: Response) => unknown) {
	const app = createApp({ environment: "TEST" });
	app.declareRoute("GET", "/r").handler((_floor, response) => handler(unchecked(response)));
	return app;
}

/** The message of the error a route's step threw, seen by an onError hook, with the response. */
async function failureOf(handler: (response: Response) => unknown) {
	let message = "";
	const app = createApp({ environment: "TEST" });
	app.addHook("onError", (_request, _response, error) => {
		message = (error as Error).message;
	});
	app.declareRoute("GET", "/r").handler((_floor, response) => handler(unchecked(response)));
	const response = await app.inject({ url: "/r" });
	return { response, message };
}

describe("response headers", () => {
	it("stores header() names in lower case, so they replace the framework's own", async () => {
		const response = await single((r) =>
			r.code(200).header("Content-Type", "text/csv; charset=utf-8").respond("a,b"),
		).inject({ url: "/r" });
		expect(response.headers["content-type"]).toBe("text/csv; charset=utf-8");
	});

	it("stores headers() names in lower case, so they replace the framework's own", async () => {
		const response = await single((r) =>
			r.code(200).headers({ "Content-Type": "text/csv; charset=utf-8" }).respond("a,b"),
		).inject({ url: "/r" });
		expect(response.headers["content-type"]).toBe("text/csv; charset=utf-8");
	});

	it("keeps the last value of a header set twice under names of different case", async () => {
		let seen: unknown;
		await single((r) => {
			r.header("x-trace", "first").header("X-Trace", "second");
			seen = { ...r.headerValues };
			return r.code(200).respond();
		}).inject({ url: "/r" });
		expect(seen).toEqual({ "x-trace": "second" });
	});

	it("skips the undefined values given to headers()", async () => {
		const response = await single((r) =>
			r.code(200).headers({ "x-kept": "yes", "x-skipped": undefined }).respond(),
		).inject({ url: "/r" });
		expect(response.headers["x-kept"]).toBe("yes");
		expect(Object.keys(response.headers)).not.toContain("x-skipped");
	});
});

describe("response cookies", () => {
	it("adds a cookie to a set-cookie header given as one string", async () => {
		const response = await single((r) =>
			r.code(200).header("Set-Cookie", "first=1").setCookie("second", "2").respond(),
		).inject({ url: "/r" });
		expect(response.headers["set-cookie"]).toEqual(["first=1", "second=2; Path=/"]);
	});

	it("keeps every cookie when more than two are set", async () => {
		const response = await single((r) =>
			r.code(200).setCookie("a", "1").setCookie("b", "2").setCookie("c", "3").respond(),
		).inject({ url: "/r" });
		expect(response.headers["set-cookie"]).toEqual(["a=1; Path=/", "b=2; Path=/", "c=3; Path=/"]);
	});

	it("lets the options override the default path", async () => {
		const response = await single((r) => r.code(200).setCookie("a", "1", { path: "/api" }).respond()).inject({
			url: "/r",
		});
		expect(response.headers["set-cookie"]).toEqual(["a=1; Path=/api"]);
	});

	it("clears a cookie: empty value, expired at once, with the options given", async () => {
		const response = await single((r) => r.code(200).clearCookie("session", { httpOnly: true }).respond()).inject({
			url: "/r",
		});
		const [cleared] = response.headers["set-cookie"] as string[];
		expect(cleared?.split("; ").sort()).toEqual(
			["session=", "Max-Age=0", "Path=/", "Expires=Thu, 01 Jan 1970 00:00:00 GMT", "HttpOnly"].sort(),
		);
	});
});

describe("respond()", () => {
	it("refuses a second respond(), naming the info of the first", async () => {
		const { response, message } = await failureOf((r) => {
			r.code(200).info("thing.found").respond("first");
			return r.respond("second");
		});
		expect(response.statusCode).toBe(500);
		expect(message).toContain("already sent (info: thing.found)");
	});

	it("refuses respond() after send()", async () => {
		const { response, message } = await failureOf((r) => {
			try {
				r.code(200).send("first");
			} catch {
				// Swallowing the response signal is the mistake this test makes on purpose.
			}
			return r.respond("second");
		});
		expect(response.statusCode).toBe(500);
		expect(message).toContain("already sent (info: none)");
	});

	it("explains that respond() belongs to handlers", async () => {
		let message = "";
		const app = createApp({ environment: "TEST" });
		app.addHook("onError", (_request, _response, error) => {
			message = (error as Error).message;
		});
		app
			.declareRoute("GET", "/r")
			.cut((_floor, response) => {
				unchecked(response).code(200).respond();
			})
			.handler((_floor, response) => response.send());
		expect((await app.inject({ url: "/r" })).statusCode).toBe(500);
		expect(message).toBe("respond() answers from a handler: in extract, checks, cuts and processes use send().");
	});

	it("redirects with 302 unless told otherwise", async () => {
		const response = await single((r) => r.redirect("/elsewhere")).inject({ url: "/r" });
		expect(response.statusCode).toBe(302);
		expect(response.headers.location).toBe("/elsewhere");
	});
});

describe("isResponseSignal", () => {
	it("is false for an ordinary error, another ResponseSignal, and values that are not errors", () => {
		expect(isResponseSignal(new Error("boom"))).toBe(false);
		expect(isResponseSignal(new ResponseSignal("look-alike"))).toBe(false);
		expect(isResponseSignal(new ResponseAlreadySentError(undefined))).toBe(false);
		expect(isResponseSignal(undefined)).toBe(false);
		expect(isResponseSignal("ResponseSignal")).toBe(false);
	});

	it("is true for what send() throws", async () => {
		let thrown: unknown;
		const app = createApp({ environment: "TEST" });
		app.declareRoute("GET", "/r").handler((_floor, response) => {
			try {
				unchecked(response).code(200).send();
			} catch (signal) {
				thrown = signal;
				throw signal;
			}
		});
		const response = await app.inject({ url: "/r" });
		expect(response.statusCode).toBe(200);
		expect(isResponseSignal(thrown)).toBe(true);
		expect((thrown as Error).name).toBe("ResponseSignal");
	});
});
