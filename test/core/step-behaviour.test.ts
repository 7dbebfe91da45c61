// How compiled steps run: cuts that must return an object, checks without an expected result, catches that
// do not send, processes that stop at the step that sent (after an await too), and parsingBody hooks.
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { type AllowedAnswer, createApp, createChecker, createProcess, type Response } from "../../src/core/index.js";
import { captureLogs } from "../helpers/log-capture.js";
import { unchecked } from "../helpers/unchecked.js";

/** An app whose onError hook records the messages of the errors steps threw. */
function recording() {
	const messages: string[] = [];
	const app = createApp({ environment: "TEST", logger: captureLogs("silent").logger });
	app.addHook("onError", (_request, _response, error) => void messages.push((error as Error).message));
	return { app, messages };
}

const ok = <Allowed extends AllowedAnswer>(response: Response<Allowed>) => unchecked(response).code(200);

describe("a cut that drops keys", () => {
	it("answers 500 saying what it returned instead of an object", async () => {
		for (const [returned, said] of [
			[null, "null"],
			[3, "number"],
			[undefined, "undefined"],
		] as const) {
			const { app, messages } = recording();
			app
				.declareRoute("GET", "/r")
				.cut(() => returned as never, ["a", "b"])
				.handler((_floor, response) => ok(response).respond());
			expect((await app.inject({ url: "/r" })).statusCode).toBe(500);
			expect(messages).toEqual([`A cut declared to drop a, b returned ${said}, not an object.`]);
		}
	});

	it("drops only the keys it declares, after an await too", async () => {
		const app = createApp({ environment: "TEST" });
		app
			.declareRoute("GET", "/r")
			.cut(async () => ({ a: 1, b: 2, c: 3 }), ["a", "c"])
			.handler(({ pickup }, response) =>
				ok(response).respond({ a: pickup("a"), b: (pickup as (key: string) => unknown)("b") ?? null, c: pickup("c") }),
			);
		expect((await app.inject({ url: "/r" })).json()).toEqual({ a: 1, b: null, c: 3 });
	});
});

describe("a check", () => {
	const lookup = createChecker("lookup").handler((id: number, output) =>
		id === 1 ? output("thing.exist", { id }) : output("thing.missing", { id }),
	);

	it("without an expected result drops whatever it answers", async () => {
		const app = createApp({ environment: "TEST" });
		app
			.declareRoute("GET", "/r/{id}")
			.extract({ params: { id: z.coerce.number() } })
			.check(lookup, { input: (pickup) => pickup("id"), indexing: "thing" })
			.handler(({ pickup }, response) => ok(response).respond(pickup("thing")));
		expect((await app.inject({ url: "/r/2" })).json()).toEqual({ id: 2 });
	});

	it("whose catch does not send answers 500, naming the check", async () => {
		const { app, messages } = recording();
		app
			.declareRoute("GET", "/r/{id}")
			.extract({ params: { id: z.coerce.number() } })
			.check(lookup, { input: (pickup) => pickup("id"), result: "thing.exist", catch: () => undefined })
			.handler((_floor, response) => ok(response).respond());
		expect((await app.inject({ url: "/r/2" })).statusCode).toBe(500);
		expect(messages).toEqual([
			"The catch of check(lookup) returned without sending a response. End every path with response.send(...).",
		]);
	});

	it("hands its catch the info, the data and the floor's pickup", async () => {
		const app = createApp({ environment: "TEST" });
		app
			.declareRoute("GET", "/r/{id}")
			.extract({ params: { id: z.coerce.number() } })
			.check(lookup, {
				input: (pickup) => pickup("id"),
				result: "thing.exist",
				catch: (response, info, data, pickup) =>
					unchecked(response)
						.code(404)
						.info(info)
						.send({ data, id: pickup("id") }),
			})
			.handler((_floor, response) => ok(response).respond());
		const response = await app.inject({ url: "/r/7" });
		expect(response.info).toBe("thing.missing");
		expect(response.json()).toEqual({ data: { id: 7 }, id: 7 });
	});
});

describe("a process", () => {
	it("stops at the step that sent, after an await too, and the route stops with it", async () => {
		const ran: string[] = [];
		const guard = createProcess("guard")
			.cut(async () => void ran.push("waited"))
			.cut((_floor, response) => {
				ran.push("refused");
				try {
					unchecked(response).code(403).info("refused").send();
				} catch {
					// Swallowed on purpose: the process must still stop here.
				}
			})
			.cut(() => void ran.push("after"))
			.build();
		const app = createApp({ environment: "TEST" });
		app
			.declareRoute("GET", "/r")
			.process(guard)
			.cut(() => void ran.push("route"))
			.handler((_floor, response) => ok(response).respond());
		expect((await app.inject({ url: "/r" })).statusCode).toBe(403);
		expect(ran).toEqual(["waited", "refused"]);
	});

	it("stops at a synchronous step that sent, too", async () => {
		const ran: string[] = [];
		const guard = createProcess("guard")
			.cut((_floor, response) => {
				try {
					unchecked(response).code(403).info("refused").send();
				} catch {
					// Swallowed on purpose.
				}
			})
			.cut(() => void ran.push("after"))
			.build();
		const app = createApp({ environment: "TEST" });
		app
			.declareRoute("GET", "/r")
			.process(guard)
			.handler((_floor, response) => ok(response).respond());
		expect((await app.inject({ url: "/r" })).statusCode).toBe(403);
		expect(ran).toEqual([]);
	});

	it("brings back what it built after an await, with options merged over its defaults", async () => {
		const loader = createProcess("loader")
			.options({ scale: 1, label: "x" })
			.cut(async ({ pickup }) => ({ value: pickup("options") }), ["value"])
			.build(["value"]);
		const app = createApp({ environment: "TEST" });
		app
			.declareRoute("GET", "/r")
			.process(loader, { options: () => ({ scale: 3 }), pickup: ["value"] })
			.handler(({ pickup }, response) => ok(response).respond(pickup("value")));
		expect((await app.inject({ url: "/r" })).json()).toEqual({ scale: 3, label: "x" });
	});

	it("run once per request reuses the first floor after an await", async () => {
		let runs = 0;
		const session = createProcess("session")
			.oncePerRequest()
			.cut(async () => ({ user: `u${++runs}` }), ["user"])
			.build(["user"]);
		const inner = createProcess("inner")
			.process(session, { pickup: ["user"] })
			.cut(({ pickup }) => ({ seen: pickup("user") }), ["seen"])
			.build(["seen"]);
		const app = createApp({ environment: "TEST" });
		app
			.declareRoute("GET", "/r")
			.process(session, { pickup: ["user"] })
			.process(inner, { pickup: ["seen"] })
			.handler(({ pickup }, response) => ok(response).respond({ user: pickup("user"), seen: pickup("seen") }));
		expect((await app.inject({ url: "/r" })).json()).toEqual({ user: "u1", seen: "u1" });
		expect(runs).toBe(1);
	});
});

describe("parsingBody hooks", () => {
	it("run before the built-in parser, which then reads the body, after an await too", async () => {
		for (const hook of [() => undefined, async () => undefined]) {
			const calls: string[] = [];
			const app = createApp({ environment: "TEST" });
			app.addHook("parsingBody", (request) => {
				calls.push(`hook:${String(request.body)}`);
				return hook();
			});
			app
				.declareRoute("POST", "/r")
				.extract({ body: z.object({ a: z.number() }) })
				.handler(({ pickup }, response) => ok(response).respond(pickup("body")));
			expect((await app.inject({ method: "POST", url: "/r", body: { a: 1 } })).json()).toEqual({ a: 1 });
			expect(calls).toEqual(["hook:undefined"]);
		}
	});

	it("that set the body asynchronously replace the parser", async () => {
		const app = createApp({ environment: "TEST" });
		app.addHook("parsingBody", async (request) => {
			await Promise.resolve();
			request.body = { a: 42 };
		});
		app
			.declareRoute("POST", "/r")
			.extract({ body: z.object({ a: z.number() }) })
			.handler(({ pickup }, response) => ok(response).respond(pickup("body")));
		const response = await app.inject({
			method: "POST",
			url: "/r",
			headers: { "content-type": "application/xml" },
			body: Buffer.from("<a>42</a>"),
		});
		expect(response.json()).toEqual({ a: 42 });
	});
});
