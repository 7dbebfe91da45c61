// The DEV/TEST check of a sent answer against what its step declares: code and info both count, the schemas
// of several matching declarations, what the 500 says, and the helpers that pick a route's contracts.
import { describe, expect, it } from "vitest";
import { z } from "zod";
import {
	appliesTo,
	type Contract,
	describeContracts,
	extractContracts,
	forMethod,
	forProcessOptions,
	IHaveSentThis,
	matchContract,
} from "../../src/core/contracts.js";
import { createApp, DeclarationError } from "../../src/core/index.js";
import { unchecked } from "../helpers/unchecked.js";

/** A route whose handler declares `contracts` and sends what `send` says. */
function sending(
	send: { code: number; info?: string; body?: unknown },
	...contracts: IHaveSentThis<number, string, z.ZodType | undefined>[]
) {
	const app = createApp({ environment: "TEST" });
	app.declareRoute("GET", "/r").handler(
		(_floor, response) => {
			const open = unchecked(response).code(send.code);
			if (send.info !== undefined) open.info(send.info);
			return open.respond(send.body);
		},
		...(contracts as [IHaveSentThis]),
	);
	return app.inject({ url: "/r" });
}

describe("the contract check", () => {
	it("refuses a declared info sent with another status code", async () => {
		const response = await sending({ code: 201, info: "thing.found" }, new IHaveSentThis(200, "thing.found"));
		expect(response).toAnswer(500, "WHAT_WAS_SENT_ERROR");
		expect(response.json().message).toContain('sent 201 with info "thing.found", which it does not declare');
	});

	it("refuses a declared code sent without an info, and says how to declare it", async () => {
		const response = await sending({ code: 200 }, new IHaveSentThis(200, "thing.found"));
		expect(response).toAnswer(500, "WHAT_WAS_SENT_ERROR");
		expect(response.json().message).toContain("sent 200 with info (none)");
		expect(response.json().message).toContain('Add new IHaveSentThis(200, "some.info") to the step');
	});

	it("lists what the step declares, with their infos and whether they have a schema", async () => {
		const response = await sending(
			{ code: 202, info: "thing.queued" },
			new IHaveSentThis(200, ["thing.found", "thing.same"], z.object({})),
			new IHaveSentThis(204, "thing.gone"),
		);
		expect(response.json().message).toContain(
			"Declared: 200 thing.found | thing.same (with a body schema); 204 thing.gone;",
		);
	});

	it("accepts a body that matches any of the schemas declared for that code and info", async () => {
		const response = await sending(
			{ code: 200, info: "thing.found", body: { count: 2, extra: true } },
			new IHaveSentThis(200, "thing.found", z.object({ name: z.string() })),
			new IHaveSentThis(200, "thing.found", z.object({ count: z.number() })),
		);
		expect(response).toAnswer(200, "thing.found");
		// Serialised from the schema that matched.
		expect(response.json()).toEqual({ count: 2 });
	});

	it("sends the body as it is when the matching declaration has no schema", async () => {
		const response = await sending(
			{ code: 200, info: "thing.found", body: { any: "thing" } },
			new IHaveSentThis(200, "thing.found"),
		);
		expect(response.json()).toEqual({ any: "thing" });
	});

	it("names the schema's first issues when no schema matches", async () => {
		const response = await sending(
			{ code: 200, info: "thing.found", body: { name: 3 } },
			new IHaveSentThis(200, "thing.found", z.object({ name: z.string() })),
			new IHaveSentThis(200, "thing.found", z.object({ count: z.number() })),
		);
		expect(response).toAnswer(500, "WHAT_WAS_SENT_ERROR");
		const body = response.json();
		expect(body.message).toBe(
			'GET /r, the handler, sent 200 "thing.found" with a body that does not match its declared schema.',
		);
		expect(body.issues).toEqual([{ path: ["name"], message: expect.any(String) }]);
	});
});

describe("matchContract", () => {
	it("says when nothing is declared", () => {
		const mismatch = matchContract([], 200, "x", undefined, "the step");
		expect(mismatch).toEqual({
			message:
				'the step sent 200 with info "x", which it does not declare. Declared: nothing. Add new IHaveSentThis(200, "x") to the step, or fix the response.',
		});
	});
});

describe("IHaveSentThis", () => {
	it("refuses an empty method list, in the constructor and in forMethods()", () => {
		expect(() => new IHaveSentThis(404, ["a.b", "c.d"], undefined, { methods: [] })).toThrow(
			new DeclarationError("404 a.b | c.d: forMethods() needs at least one method."),
		);
		expect(() => new IHaveSentThis(404, ["a.b", "c.d"]).forMethods()).toThrow(
			"404 a.b | c.d: forMethods() needs at least one method.",
		);
	});

	it("keeps its methods, and is unscoped as it is when it has no options scope", () => {
		const declared = new IHaveSentThis(403, "x.y", undefined, { methods: ["POST"] });
		expect(declared.methods).toEqual(["POST"]);
		expect(declared.unscoped()).toBe(declared);
		const scoped = declared.forOptions(() => true);
		expect(scoped.unscoped()).not.toBe(scoped);
		expect(scoped.unscoped().whenOptions).toBeUndefined();
		expect(scoped.unscoped().methods).toEqual(["POST"]);
	});
});

describe("contracts for a route", () => {
	const everywhere = new IHaveSentThis(200, "ok");
	const onPost = new IHaveSentThis(403, "no").forMethods("POST");
	const whenAsked = new IHaveSentThis(403, "right.missing").forOptions(
		(options: { right?: string }) => !!options.right,
	);

	it("keeps a process's contracts whose options scope accepts the use, or when its options are not known", () => {
		expect(forProcessOptions([everywhere, whenAsked], {})).toEqual([everywhere]);
		const kept = forProcessOptions([everywhere, whenAsked], { right: "x" });
		expect(kept.map((one) => one.infos[0])).toEqual(["ok", "right.missing"]);
		expect(kept[1]?.whenOptions).toBeUndefined();
		expect(forProcessOptions([whenAsked], undefined).map((one) => one.whenOptions)).toEqual([undefined]);
	});

	it("applies a contract to every method unless it is scoped", () => {
		expect(appliesTo(everywhere, "DELETE")).toBe(true);
		expect(appliesTo(onPost, "POST")).toBe(true);
		expect(appliesTo(onPost, "GET")).toBe(false);
	});

	it("keeps the contracts of a method", () => {
		const all: Contract[] = [everywhere];
		expect(forMethod(all, "GET")).toBe(all);
		expect(forMethod([everywhere, onPost], "GET")).toEqual([everywhere]);
		expect(forMethod([everywhere, onPost], "POST")).toEqual([everywhere, onPost]);
	});

	it("describes contracts for people", () => {
		expect(describeContracts([everywhere, new IHaveSentThis(400, ["a", "b"], z.object({}))])).toBe(
			"200 ok; 400 a | b (with a body schema)",
		);
	});

	it("declares the 400 of each extracted part, and of each key of a per-key shape", () => {
		expect(extractContracts({})).toEqual([]);
		const [contract] = extractContracts({ params: { id: z.string() }, body: z.object({}) });
		expect(contract?.code).toBe(400);
		expect(contract?.infos).toEqual(["TYPE_ERROR.params", "TYPE_ERROR.params.id", "TYPE_ERROR.body"]);
		expect(contract?.schema).toBeDefined();
	});
});
