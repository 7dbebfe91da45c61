// Processes and abstract routes are named, and say so when they are not; merged abstract routes run a shared
// parent once; hooks run in order, synchronously when they can; the framework's errors say what went wrong.
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { DeclarationError as CoreDeclarationError } from "../../src/core/errors.js";
import { emptyHookLists, mergeHookLists, routeHookNames, runHooks } from "../../src/core/hooks.js";
import {
	createApp,
	createProcess,
	DeclarationError,
	NoResponseSentError,
	ResponseAlreadySentError,
} from "../../src/core/index.js";
import { unchecked } from "../helpers/unchecked.js";

describe("names", () => {
	it("refuses a process without a name", () => {
		expect(() => createProcess("")).toThrow(new DeclarationError("createProcess needs a name."));
	});

	it("keeps a process's name, default options and exports, and runs it on every use unless told otherwise", () => {
		const process = createProcess("counted")
			.options({ level: 1 })
			.cut(() => ({ seen: true }), ["seen"])
			.build(["seen"]);
		expect(process).toMatchObject({
			kind: "process",
			name: "counted",
			defaultOptions: { level: 1 },
			exports: ["seen"],
			responses: [],
			oncePerRequest: false,
		});
	});

	it("refuses an abstract route without a name", () => {
		const app = createApp({ environment: "TEST" });
		expect(() => app.declareAbstractRoute("")).toThrow(new DeclarationError("An abstract route needs a name."));
	});

	it("refuses to merge fewer than two abstract routes", () => {
		const app = createApp({ environment: "TEST" });
		const only = app.declareAbstractRoute("only").build([]);
		expect(() => app.mergeAbstractRoutes("alone", [only])).toThrow(
			new DeclarationError("mergeAbstractRoutes(alone) needs at least two abstract routes."),
		);
	});
});

describe("merged abstract routes", () => {
	it("run the pipeline of a parent they share once, then each one's own", async () => {
		const calls: string[] = [];
		const app = createApp({ environment: "TEST" });
		const parent = app
			.declareAbstractRoute("parent")
			.cut(() => void calls.push("parent"))
			.build([]);
		const left = parent
			.declareAbstractRoute("left")
			.cut(() => ({ left: "L" }), ["left"])
			.build(["left"]);
		const right = parent
			.declareAbstractRoute("right")
			.extract({ query: { right: z.string().default("R") } })
			.build(["right"]);
		app
			.mergeAbstractRoutes("both", [left, right])
			.declareRoute("GET", "/both")
			.handler(({ pickup }, response) =>
				unchecked(response)
					.code(200)
					.respond({ left: pickup("left"), right: pickup("right") }),
			);
		const response = await app.inject({ url: "/both" });
		expect(response.json()).toEqual({ left: "L", right: "R" });
		expect(calls).toEqual(["parent"]);
	});

	it("serve a route declared from an abstract route under the path and options given", async () => {
		const app = createApp({ environment: "TEST" });
		const base = app.declareAbstractRoute("base").build([]);
		base
			.declareRoute("POST", ["/one", "/two"], { bodyLimit: 4 })
			.extract({ body: z.unknown() })
			.handler((_floor, response) => unchecked(response).code(200).respond());
		expect((await app.inject({ method: "POST", url: "/two", body: "abc" })).statusCode).toBe(200);
		expect((await app.inject({ method: "POST", url: "/one", body: "abcde" })).statusCode).toBe(413);
	});
});

describe("runHooks", () => {
	it("calls every hook in order with the same arguments and stays synchronous", () => {
		const calls: unknown[] = [];
		const hooks = [
			(a: number, b: string, c: boolean) => void calls.push(["first", a, b, c]),
			(a: number, b: string, c: boolean) => void calls.push(["second", a, b, c]),
		];
		expect(runHooks(hooks as never, 1, "b", true)).toBeUndefined();
		expect(calls).toEqual([
			["first", 1, "b", true],
			["second", 1, "b", true],
		]);
	});

	it("waits for an asynchronous hook before the next ones, and returns a promise", async () => {
		const calls: string[] = [];
		let release: () => void = () => undefined;
		const hooks = [
			() => void calls.push("sync"),
			() =>
				new Promise<void>((resolve) => {
					release = () => {
						calls.push("async done");
						resolve();
					};
				}),
			async () => void calls.push("after"),
			() => void calls.push("last"),
		];
		const running = runHooks(hooks as never, 0, 0);
		expect(running).toBeInstanceOf(Promise);
		expect(calls).toEqual(["sync"]);
		release();
		await running;
		expect(calls).toEqual(["sync", "async done", "after", "last"]);
	});

	it("propagates a hook's error and runs no hook after it", async () => {
		const calls: string[] = [];
		const hooks = [
			async () => {
				throw new Error("hook failed");
			},
			() => void calls.push("after"),
		];
		await expect(runHooks(hooks as never, 0, 0)).rejects.toThrow("hook failed");
		expect(calls).toEqual([]);
	});
});

describe("hook lists", () => {
	it("start empty for every hook name", () => {
		const lists = emptyHookLists();
		expect(Object.keys(lists).sort()).toEqual([...routeHookNames].sort());
		for (const name of routeHookNames) expect(lists[name]).toEqual([]);
	});

	it("merge earlier lists first, hook by hook", () => {
		const first = emptyHookLists();
		const second = emptyHookLists();
		const a = () => undefined;
		const b = () => undefined;
		const c = () => undefined;
		first.onError.push(a);
		second.onError.push(b);
		second.afterSend.push(c);
		const merged = mergeHookLists(first, second);
		expect(merged.onError).toEqual([a, b]);
		expect(merged.afterSend).toEqual([c]);
		expect(merged.beforeSend).toEqual([]);
	});
});

describe("framework errors", () => {
	it("name themselves", () => {
		expect(new CoreDeclarationError("x").name).toBe("DeclarationError");
		expect(new ResponseAlreadySentError("a.b").name).toBe("ResponseAlreadySentError");
		expect(new NoResponseSentError("The handler").name).toBe("NoResponseSentError");
	});

	it("say how to fix a second send", () => {
		expect(new ResponseAlreadySentError(undefined).message).toBe(
			"The response was already sent (info: none). A step may send once; if a try/catch in your step caught the " +
				"response signal, rethrow it (`if (isResponseSignal(error)) throw error`).",
		);
	});

	it("say where nothing was sent", () => {
		expect(new NoResponseSentError("The handler").message).toBe(
			"The handler returned without sending a response. End every path with response.send(...).",
		);
	});
});
