// Specification of what is read from a route's tree of pipelines: the processes it uses (in order, once, by name), the
// ones it can do without, its extracts in the order they run, whether it declares contracts, and its declared
// responses listed once each.
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { createApp, createProcess, IHaveSentThis, type RouteDefinition } from "../../src/core/index.js";
import {
	declaredResponses,
	declaresContracts,
	extractsOf,
	processesUsed,
	skippableProcesses,
	walkPipelines,
} from "../../src/core/introspect.js";
import { unchecked } from "../helpers/unchecked.js";

const leaf = createProcess("leaf")
	.extract({ headers: { "x-leaf": z.string().optional() } })
	.build([], new IHaveSentThis(401, "leaf.denied"));
const middle = createProcess("middle")
	.extract({ query: { m: z.string().optional() } })
	.process(leaf)
	.build([], new IHaveSentThis(403, "middle.denied"));
const other = createProcess("other").build();
const silent = createProcess("silent").process(other).build();

function routeOf(declare: (app: ReturnType<typeof createApp>) => void): RouteDefinition {
	const app = createApp({ environment: "TEST" });
	declare(app);
	const route = app.routes[0];
	if (route === undefined) throw new Error("no route declared");
	return route;
}

describe("the processes a route uses", () => {
	it("are listed at any depth, in order of first use, each once", () => {
		const route = routeOf((app) =>
			app
				.declareRoute("GET", "/r")
				.process(middle)
				.process(other)
				.process(leaf)
				.handler((_floor, response) => unchecked(response).code(200).info("ok").send()),
		);
		expect(processesUsed(route)).toEqual(["middle", "leaf", "other"]);
	});

	it("count a process named like one met before as that one, and do not look into it", () => {
		const lookalike = createProcess("middle").process(other).build();
		const route = routeOf((app) =>
			app
				.declareRoute("GET", "/r")
				.process(middle)
				.process(lookalike)
				.handler((_floor, response) => unchecked(response).code(200).info("ok").send()),
		);
		expect(processesUsed(route)).toEqual(["middle", "leaf"]);
	});

	it("that can be skipped or are optional, on the route's own steps only, are the skippable ones", () => {
		const needsId = createProcess("needsId").input<string>().build();
		const wrapper = createProcess("wrapper")
			.process(other, { skip: () => true })
			.build();
		const route = routeOf((app) =>
			app
				.declareRoute("GET", "/r/{id}")
				.extract({ params: { id: z.string() } })
				.process(middle, { skip: () => false })
				.process(needsId, { input: (pickup) => pickup("id"), optional: true })
				.process(silent)
				.process(wrapper)
				.handler((_floor, response) => unchecked(response).code(200).info("ok").send()),
		);
		expect([...skippableProcesses(route)].sort()).toEqual(["middle", "needsId"]);
	});
});

describe("the extracts of a route", () => {
	it("come in the order they run: the route's, then each process's as it is entered", () => {
		const route = routeOf((app) =>
			app
				.declareRoute("GET", "/r")
				.extract({ query: { q: z.string().optional() } })
				.process(middle)
				.handler((_floor, response) => unchecked(response).code(200).info("ok").send()),
		);
		expect(extractsOf(route).map((extract) => Object.keys(extract.shape))).toEqual([["query"], ["query"], ["headers"]]);
	});
});

describe("whether a route declares contracts", () => {
	it("is no for a route with none of its own nor in its processes", () => {
		const route = routeOf((app) =>
			app
				.declareRoute("GET", "/r")
				.process(silent)
				.handler((_floor, response) => unchecked(response).code(200).info("ok").send()),
		);
		expect(declaresContracts(route)).toBe(false);
	});

	it("is yes for a contract of the handler, of a process, or of a step inside a process", () => {
		const stepInside = createProcess("stepInside")
			.cut(() => ({}), [], new IHaveSentThis(409, "conflict"))
			.build();
		const routes = [
			routeOf((app) =>
				app
					.declareRoute("GET", "/a")
					.handler((_floor, response) => response.code(200).info("ok").send(), new IHaveSentThis(200, "ok")),
			),
			routeOf((app) =>
				app
					.declareRoute("GET", "/b")
					.process(leaf)
					.handler((_floor, response) => unchecked(response).code(200).info("ok").send()),
			),
			routeOf((app) =>
				app
					.declareRoute("GET", "/c")
					.process(stepInside)
					.handler((_floor, response) => unchecked(response).code(200).info("ok").send()),
			),
		];
		expect(routes.map(declaresContracts)).toEqual([true, true, true]);
	});
});

describe("a route's declared responses", () => {
	it("list a process used twice once, the route's own, then the framework's", () => {
		const route = routeOf((app) =>
			app
				.declareRoute("GET", "/r")
				.process(leaf)
				.process(middle)
				.handler((_floor, response) => response.code(200).info("ok").send(), new IHaveSentThis(200, "ok")),
		);
		const listed = declaredResponses(route).map(({ code, info, origin }) => `${code} ${info} ${origin}`);
		expect(listed.filter((entry) => entry.includes("leaf.denied"))).toEqual(["401 leaf.denied step"]);
		expect(listed.indexOf("200 ok step")).toBeGreaterThan(listed.indexOf("403 middle.denied step"));
		expect(listed).toContain("500 INTERNAL_SERVER_ERROR framework");
	});

	it("give an error answer's headers to its framework entry only when it has some", () => {
		const route = routeOf((app) =>
			app
				.declareRoute("GET", "/r")
				.handler((_floor, response) => response.code(200).info("ok").send(), new IHaveSentThis(200, "ok")),
		);
		const answers = [
			{ code: 503, info: "DOWN", message: "Later.", headers: { "retry-after": "1" }, matches: () => false },
			{ code: 502, info: "UPSTREAM", message: "Later.", matches: () => false },
		];
		const responses = declaredResponses(route, answers);
		expect(responses.find((one) => one.info === "DOWN")).toMatchObject({
			code: 503,
			origin: "framework",
			headers: ["retry-after"],
		});
		expect(responses.find((one) => one.info === "UPSTREAM")).not.toHaveProperty("headers");
	});
});

describe("walking a route's pipelines", () => {
	it("enters a process once, or at each use when asked, and leaves each pipeline after its processes", () => {
		const route = routeOf((app) =>
			app
				.declareRoute("GET", "/r")
				.process(leaf)
				.process(leaf)
				.handler((_floor, response) => unchecked(response).code(200).info("ok").send()),
		);
		const events = (everyUse: boolean) => {
			const seen: string[] = [];
			walkPipelines(route.pipelines, {
				everyUse,
				enter: (_pipeline, process) => void seen.push(`enter ${process?.name ?? "route"}`),
				leave: (_pipeline, process) => void seen.push(`leave ${process?.name ?? "route"}`),
			});
			return seen;
		};
		expect(events(false)).toEqual(["enter route", "enter leaf", "leave leaf", "leave route"]);
		expect(events(true)).toEqual([
			"enter route",
			"enter leaf",
			"leave leaf",
			"enter leaf",
			"leave leaf",
			"leave route",
		]);
	});
});
