import { describe, expect, it } from "vitest";
import { z } from "zod";
import { createApp, createProcess, type RouteHookName } from "../../src/core/index.js";
import { unchecked } from "../helpers/unchecked.js";

function recordAll(app: ReturnType<typeof createApp>, calls: string[], label: string) {
	const names: RouteHookName[] = [
		"onConstructRequest",
		"onConstructResponse",
		"beforeRouteExecution",
		"parsingBody",
		"onError",
		"beforeSend",
		"afterSend",
		"onServerError",
	];
	for (const name of names) app.addHook(name, (() => void calls.push(`${label}:${name}`)) as never);
}

describe("hooks", () => {
	it("run in the documented order, global before process before route-local", async () => {
		const calls: string[] = [];
		const app = createApp({ environment: "TEST" });
		recordAll(app, calls, "global");
		const step = createProcess("step")
			.hook("beforeRouteExecution", () => void calls.push("process:beforeRouteExecution"))
			.cut(() => void calls.push("process:cut"))
			.build();
		app
			.declareRoute("POST", "/h")
			.hook("beforeRouteExecution", () => void calls.push("route:beforeRouteExecution"))
			.hook("beforeSend", () => void calls.push("route:beforeSend"))
			.hook("afterSend", () => void calls.push("route:afterSend"))
			.extract({ body: { n: z.number() } })
			.process(step)
			.cut(() => {
				calls.push("route:cut");
				throw new Error("boom");
			})
			.handler((_floor, response) => response.send());
		app.setErrorHandler((_request, response) => {
			calls.push("errorHandler");
			response.code(500).send();
		});
		await app.inject({ method: "POST", url: "/h", body: { n: 1 } });
		expect(calls).toEqual([
			"global:onConstructRequest",
			"global:onConstructResponse",
			"global:beforeRouteExecution",
			"process:beforeRouteExecution",
			"route:beforeRouteExecution",
			"global:parsingBody",
			"process:cut",
			"route:cut",
			"global:onError",
			"errorHandler",
			"global:beforeSend",
			"route:beforeSend",
			"global:afterSend",
			"route:afterSend",
		]);
	});

	it("add a process's hooks once per route, even when an abstract route and the route both use it", async () => {
		const calls: string[] = [];
		const app = createApp({ environment: "TEST" });
		const step = createProcess("step")
			.hook("beforeSend", () => void calls.push("process:beforeSend"))
			.cut(() => void calls.push("process:cut"))
			.build();
		const withStep = app.declareAbstractRoute("withStep").process(step).build();
		withStep
			.declareRoute("GET", "/twice")
			.process(step)
			.handler((_floor, response) => response.send());
		expect((await app.inject({ url: "/twice" })).statusCode).toBe(200);
		expect(calls).toEqual(["process:cut", "process:cut", "process:beforeSend"]);
	});

	it("parse the body only for routes that extract it", async () => {
		const calls: string[] = [];
		const app = createApp({ environment: "TEST" });
		app.addHook("parsingBody", () => void calls.push("parsingBody"));
		app.declareRoute("POST", "/no-body").handler((_floor, response, request) =>
			unchecked(response)
				.code(200)
				.send({ body: request.body ?? null }),
		);
		const response = await app.inject({ method: "POST", url: "/no-body", body: { ignored: true } });
		expect(response.json()).toEqual({ body: null });
		expect(calls).toEqual([]);
	});

	it("let a parsingBody hook replace the built-in parser", async () => {
		const app = createApp({ environment: "TEST" });
		app
			.declareRoute("POST", "/csv")
			.hook("parsingBody", (request) => {
				request.body = { rows: ["a", "b"] };
			})
			.extract({ body: { rows: z.array(z.string()) } })
			.handler(({ pickup }, response) => unchecked(response).code(200).send(pickup("rows")));
		const response = await app.inject({
			method: "POST",
			url: "/csv",
			headers: { "content-type": "text/csv" },
			body: "a\nb",
		});
		expect(response.json()).toEqual(["a", "b"]);
	});

	it("let an onError hook answer in place of the error handler", async () => {
		const app = createApp({ environment: "TEST" });
		app.addHook("onError", (_request, response, error) => {
			if (error instanceof RangeError) response.code(409).info("conflict.range").send({ reason: error.message });
		});
		app.declareRoute("GET", "/e").handler(() => {
			throw new RangeError("too far");
		});
		const response = await app.inject({ url: "/e" });
		expect(response.statusCode).toBe(409);
		expect(response.json()).toEqual({ reason: "too far" });
	});

	it("let beforeSend change the response and afterSend see what was sent", async () => {
		let seen = 0;
		const app = createApp({ environment: "TEST" });
		app.addHook("beforeSend", (_request, response) => {
			response.header("x-powered-by", "dofus-manager");
		});
		app.addHook("afterSend", (_request, response) => {
			seen = response.statusCode;
		});
		app.declareRoute("GET", "/s").handler((_floor, response) => unchecked(response).code(202).send());
		const response = await app.inject({ url: "/s" });
		expect(response.headers["x-powered-by"]).toBe("dofus-manager");
		expect(seen).toBe(202);
	});

	it("await asynchronous hooks", async () => {
		const app = createApp({ environment: "TEST" });
		app.addHook("beforeRouteExecution", async (request) => {
			await new Promise((resolve) => setTimeout(resolve, 2));
			(request as { tenant?: string }).tenant = "bonta";
		});
		app.declareRoute("GET", "/t").handler((_floor, response, request) =>
			unchecked(response)
				.code(200)
				.send({ tenant: (request as { tenant?: string }).tenant }),
		);
		expect((await app.inject({ url: "/t" })).json()).toEqual({ tenant: "bonta" });
	});

	it("run onServerError and answer a bare 500 when the response cannot be serialised", async () => {
		const errors: unknown[] = [];
		const app = createApp({ environment: "TEST" });
		app.addHook("onServerError", (_request, _response, error) => void errors.push(error));
		app.declareRoute("GET", "/big").handler((_floor, response) => unchecked(response).code(200).send({ n: 10n }));
		const response = await app.inject({ url: "/big" });
		expect(response.statusCode).toBe(500);
		expect(response.json().error).toBe("INTERNAL_SERVER_ERROR");
		expect(errors).toHaveLength(1);
		expect(String(errors[0])).toMatch(/BigInt/);
	});

	it("run the hooks of 404 and 405 answers too", async () => {
		const calls: string[] = [];
		const app = createApp({ environment: "TEST" });
		app.addHook("beforeSend", (_request, response) => void calls.push(`beforeSend:${response.statusCode}`));
		app.declareRoute("GET", "/only-get").handler((_floor, response) => response.send());
		await app.inject({ url: "/missing" });
		await app.inject({ method: "POST", url: "/only-get" });
		expect(calls).toEqual(["beforeSend:404", "beforeSend:405"]);
	});

	it("call onDeclareRoute for every declared route", () => {
		const declared: string[] = [];
		const app = createApp({ environment: "TEST" });
		app.addHook("onDeclareRoute", (route) => void declared.push(`${route.method} ${route.paths.join(",")}`));
		app.declareRoute("GET", "/a").handler((_floor, response) => response.send());
		app.declareRoute("POST", ["/b", "/c"]).handler((_floor, response) => response.send());
		expect(declared).toEqual(["GET /a", "POST /b,/c"]);
	});
});
