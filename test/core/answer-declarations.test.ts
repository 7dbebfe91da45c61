// The bounds of a declared answer (HTTP codes, refusal codes, infos, messages) and which answers can send themselves.
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { Answer, isSendableAnswer, Refusal, refusalWith } from "../../src/core/answer.js";
import { answer, createApp, DeclarationError, refusal } from "../../src/core/index.js";

describe("answer()", () => {
	it("takes every HTTP status from 100 to 599", () => {
		expect(answer(100, "a.continue").code).toBe(100);
		expect(answer(599, "a.last").code).toBe(599);
	});

	it("refuses codes outside 100-599 and codes that are not whole numbers", () => {
		for (const code of [99, 600, 200.5, Number.NaN])
			expect(() => answer(code, "x")).toThrow(
				new DeclarationError(`answer(${code}): the code must be an HTTP status (100-599).`),
			);
	});

	it("refuses an info that is not a non-empty string", () => {
		expect(() => answer(200, 7 as never)).toThrow("answer(200): the info must be a non-empty string.");
	});

	it("keeps its code, info, schema and infos", () => {
		const schema = z.object({ id: z.number() });
		const found = answer(200, "thing.found", schema);
		expect(found).toBeInstanceOf(Answer);
		expect([found.code, found.info, found.infos, found.schema]).toEqual([200, "thing.found", ["thing.found"], schema]);
	});
});

describe("refusal()", () => {
	it("takes 400 and up, and refuses 399", () => {
		expect(refusal(400, "x.bad", "Bad.").code).toBe(400);
		expect(() => refusal(399, "x.odd", "Odd.")).toThrow('refusal(399, "x.odd"): a refusal is a 4xx or 5xx answer.');
	});

	it("checks its code and info like answer()", () => {
		expect(() => refusal(700, "x", "m")).toThrow("refusal(700): the code must be an HTTP status (100-599).");
		expect(() => refusal(404, "", "m")).toThrow("refusal(404): the info must be a non-empty string.");
	});

	it("refuses a message that is not a string", () => {
		expect(() => refusal(404, "x.notfound", undefined as never)).toThrow(
			'refusal(404, "x.notfound"): give the message people read.',
		);
	});

	it("sends the body of the schema it was made with", async () => {
		const withCode = refusalWith(z.object({ error: z.string(), message: z.string(), code: z.string().default("E1") }));
		const missing = withCode(404, "x.notfound", "Not here.");
		expect(missing).toBeInstanceOf(Refusal);
		expect(missing.message).toBe("Not here.");
		const app = createApp({ environment: "TEST" });
		app.declareRoute("GET", "/x").handler((_floor, response) => missing.send(response), missing);
		const response = await app.inject({ url: "/x" });
		expect(response).toAnswer(404, "x.notfound");
		expect(response.json()).toEqual({ error: "x.notfound", message: "Not here.", code: "E1" });
	});
});

describe("isSendableAnswer", () => {
	it("is true for refusals and for answers without a body schema", () => {
		expect(isSendableAnswer(refusal(404, "x", "m"))).toBe(true);
		expect(isSendableAnswer(answer(204, "x.gone"))).toBe(true);
	});

	it("is false for answers with a body schema and for anything else", () => {
		expect(isSendableAnswer(answer(200, "x.found", z.object({})))).toBe(false);
		expect(isSendableAnswer({ code: 404, infos: ["x"], send: () => undefined })).toBe(false);
		expect(isSendableAnswer(undefined)).toBe(false);
	});
});
