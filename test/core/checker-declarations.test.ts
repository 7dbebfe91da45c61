// How checkers and preset checkers are declared: what they keep, and the declaration errors for bad arguments.
import { describe, expect, it } from "vitest";
import { z } from "zod";
import {
	type CheckerOutputFunction,
	createApp,
	createChecker,
	createPresetChecker,
	DeclarationError,
	IHaveSentThis,
	refusal,
} from "../../src/core/index.js";

const itemExist = createChecker("itemExist")
	.options({ strict: false })
	.handler((id: number, output, options) =>
		id === 1 ? output("item.exist", { id, strict: options.strict }) : output("item.notfound", null),
	);

const itemMissing = refusal(404, "item.notfound", "No such item.");

describe("createChecker", () => {
	it("refuses an empty name", () => {
		expect(() => createChecker("")).toThrow(DeclarationError);
		expect(() => createChecker("")).toThrow("createChecker needs a name.");
	});

	it("keeps its name, its default options and its handler", () => {
		const handler = (_input: number, output: CheckerOutputFunction) => output("ok");
		const checker = createChecker("plain").handler(handler);
		expect(checker).toEqual({ kind: "checker", name: "plain", defaultOptions: {}, handler });
		expect(itemExist.defaultOptions).toEqual({ strict: false });
		expect(createChecker("twice").options({ a: 1 }).options({ b: 2 }).handler(handler).defaultOptions).toEqual({
			b: 2,
		});
	});
});

describe("createPresetChecker", () => {
	it("refuses something that is not a checker", () => {
		for (const notAChecker of [undefined, null, {}, { kind: "process" }]) {
			expect(() =>
				createPresetChecker(notAChecker as never, { result: "item.exist", catch: itemMissing } as never),
			).toThrow("createPresetChecker needs a checker.");
		}
	});

	it("refuses a catch that is neither a function nor a declared answer, naming the checker", () => {
		for (const catchValue of [undefined, "item.notfound", new IHaveSentThis(404, "item.notfound", z.object({}))]) {
			expect(() => createPresetChecker(itemExist, { result: "item.exist", catch: catchValue as never })).toThrow(
				"createPresetChecker(itemExist): catch must be a function or a declared answer.",
			);
		}
	});

	it("refuses missing params", () => {
		expect(() => createPresetChecker(itemExist, undefined as never)).toThrow(DeclarationError);
	});

	it("declares and sends a refusal given as its catch, before the other contracts", async () => {
		const other = new IHaveSentThis(409, "item.locked");
		const preset = createPresetChecker(
			itemExist,
			{ result: "item.exist", catch: itemMissing, indexing: "item", options: { strict: true } },
			other,
		);
		expect(preset.responses).toEqual([itemMissing, other]);
		expect(preset.result).toBe("item.exist");
		expect(preset.indexing).toBe("item");
		expect(preset.options).toEqual({ strict: true });
		const app = createApp({ environment: "TEST" });
		app
			.declareRoute("GET", "/items/{id}")
			.extract({ params: { id: z.coerce.number() } })
			.presetCheck(preset, (pickup) => pickup("id"))
			.handler(
				({ pickup }, response) => response.code(200).info("item.found").respond(pickup("item")),
				new IHaveSentThis(200, "item.found"),
			);
		const missing = await app.inject({ url: "/items/2" });
		expect(missing.statusCode).toBe(404);
		expect(missing.info).toBe("item.notfound");
		expect(missing.json()).toEqual({ error: "item.notfound", message: "No such item." });
		expect((await app.inject({ url: "/items/1" })).json()).toEqual({ id: 1, strict: true });
	});

	it("keeps a function catch and only the contracts it is given", () => {
		const declared = new IHaveSentThis(404, "item.notfound");
		const catcher = () => undefined;
		const preset = createPresetChecker(itemExist, { result: ["item.exist"], catch: catcher }, declared);
		expect(preset.kind).toBe("presetChecker");
		expect(preset.checker).toBe(itemExist);
		expect(preset.catch).toBe(catcher);
		expect(preset.responses).toEqual([declared]);
		expect(preset.result).toEqual(["item.exist"]);
		expect(preset.indexing).toBeUndefined();
		expect(preset.options).toBeUndefined();
	});
});
