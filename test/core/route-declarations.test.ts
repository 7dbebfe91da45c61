// The declaration errors of routes, processes and app settings: each names what is wrong and where.
import { describe, expect, it } from "vitest";
import { z } from "zod";
import {
	createApp,
	createChecker,
	createProcess,
	DeclarationError,
	type ErrorAnswer,
	type Response,
} from "../../src/core/index.js";
import { unchecked } from "../helpers/unchecked.js";

const found = createChecker("found").handler((_input: number, output) => output("thing.exist"));
const app = () => createApp({ environment: "TEST" });
const route = () => app().declareRoute("GET", "/r");

describe("routes", () => {
	it("refuse an unknown method, no path, and a body limit that is not positive", () => {
		expect(() => app().declareRoute("FETCH" as never, "/r")).toThrow(
			new DeclarationError("Unknown HTTP method FETCH."),
		);
		expect(() => app().declareRoute("GET", [])).toThrow("GET: a route needs at least one path.");
		for (const bodyLimit of [0, -1, Number.NaN])
			expect(() => app().declareRoute("POST", "/r", { bodyLimit })).toThrow("POST /r: bodyLimit must be positive.");
		expect(() => app().declareRoute("POST", "/r", { bodyLimit: 1 })).not.toThrow();
	});

	it("refuse a handler that is not a function, and build()", () => {
		expect(() => route().handler(undefined as never)).toThrow("GET /r: handler must be a function.");
		expect(() => (route() as unknown as { build(): unknown }).build()).toThrow(
			"GET /r: routes end with handler(), not build().",
		);
	});

	it("refuse a step after the handler", () => {
		const builder = route();
		builder.handler((_floor, response) => unchecked(response).code(200).respond());
		expect(() => (builder as unknown as { cut(f: () => void): unknown }).cut(() => undefined)).toThrow(
			"GET /r: .cut() after the declaration was closed.",
		);
	});

	it("take hooks and extract only before the steps", () => {
		const builder = route().cut(() => undefined) as unknown as {
			hook(name: string, hook: () => void): unknown;
			extract(shape: object): unknown;
		};
		expect(() => builder.hook("beforeSend", () => undefined)).toThrow(
			"GET /r: .hook() must come before extract, checks, cuts and processes.",
		);
		expect(() => builder.extract({ query: z.unknown() })).toThrow(
			"GET /r: .extract() must come before extract, checks, cuts and processes.",
		);
	});

	it("refuse an unknown hook and a hook that is not a function", () => {
		expect(() => route().hook("beforeEverything" as never, (() => undefined) as never)).toThrow(
			'GET /r: unknown hook "beforeEverything".',
		);
		expect(() => route().hook("beforeSend", "later" as never)).toThrow('GET /r: hook "beforeSend" must be a function.');
	});

	it("refuse a cut that is not a function", () => {
		expect(() => route().cut(undefined as never)).toThrow("GET /r: cut needs a function.");
	});
});

describe("check steps", () => {
	it("refuse something that is not a checker, and an input that is not a function", () => {
		expect(() => route().check({ name: "fake" } as never, { input: () => 1 } as never)).toThrow(
			"GET /r: check(fake): the first argument is not a checker.",
		);
		expect(() => route().check(undefined as never, { input: () => 1 } as never)).toThrow(
			"GET /r: check(?): the first argument is not a checker.",
		);
		expect(() => route().check(found, { input: 1 } as never)).toThrow(
			"GET /r: check(found): input must be a function.",
		);
	});

	it("refuse an optional that is not a flag, or together with skip", () => {
		const check = (params: object) => () =>
			route().check(found, {
				input: () => 1,
				result: "thing.exist",
				catch: (response: Response) => unchecked(response).code(404).send(),
				...params,
			} as never);
		expect(check({ optional: "yes" })).toThrow("GET /r: check(found): optional must be true or false.");
		expect(check({ optional: true, skip: () => false })).toThrow(
			"GET /r: check(found): give either skip or optional, not both.",
		);
		expect(check({ optional: false, skip: () => false })).not.toThrow();
	});
});

describe("process steps", () => {
	const counted = createProcess("counted")
		.cut(() => ({ count: 1 }), ["count"])
		.build(["count"]);

	it("refuse something that is not a process", () => {
		expect(() => route().process({ kind: "checker" } as never)).toThrow("GET /r: process() needs a process.");
	});

	it("refuse to pick up a key the process does not build, listing what it builds", () => {
		expect(() => route().process(counted, { pickup: ["total"] as never })).toThrow(
			'GET /r: process counted does not build "total" (it builds count).',
		);
		const bare = createProcess("bare").build();
		expect(() => route().process(bare, { pickup: ["x"] as never })).toThrow(
			'GET /r: process bare does not build "x" (it builds nothing).',
		);
	});

	it("refuse an optional that is not a flag", () => {
		expect(() => route().process(counted, { optional: 1 as never })).toThrow(
			"GET /r: process(counted): optional must be true or false.",
		);
	});

	it("refuse options, input and oncePerRequest after the steps, and a handler", () => {
		const start = () => createProcess("late").cut(() => undefined) as unknown as Record<string, () => unknown>;
		for (const call of ["options", "input", "oncePerRequest"])
			expect(() => (start()[call] as (a?: object) => unknown)({})).toThrow(
				`process late: .${call}() must come before extract, checks, cuts and processes.`,
			);
		expect(() =>
			(createProcess("p") as unknown as { handler(f: () => void): unknown }).handler(() => undefined),
		).toThrow("process p: only routes have a handler.");
	});
});

describe("app settings", () => {
	it("refuse a hook that is not a function, and unknown hooks", () => {
		expect(() => app().addHook("beforeSend", 1 as never)).toThrow("Hook beforeSend must be a function.");
		expect(() => app().addHook("onEverything" as never, (() => undefined) as never)).toThrow(
			'Unknown hook "onEverything".',
		);
	});

	it("refuse error answers whose code is not a 4xx or 5xx status", () => {
		const answer = (code: number): ErrorAnswer => ({ code, info: "DOWN", message: "Down.", matches: () => true });
		for (const code of [399, 600, 503.5])
			expect(() => app().answerError(answer(code))).toThrow("answerError(DOWN): the code must be a 4xx or 5xx status.");
		expect(() => app().answerError(answer(400))).not.toThrow();
		expect(() => app().answerError(answer(599))).not.toThrow();
	});

	it("refuse an upgrade handler without upgrade() and close()", () => {
		expect(() => app().onUpgrade("/ws", { upgrade: () => undefined } as never)).toThrow(
			"onUpgrade(/ws): the handler needs upgrade() and close().",
		);
	});
});
