// Declared answers as values: answer() and refusal() send what they declare, and a preset or check whose
// catch is a refusal declares it without a separate contract.
import { describe, expect, it } from "vitest";
import { z } from "zod";
import {
	answer,
	createApp,
	createChecker,
	createPresetChecker,
	DeclarationError,
	declaredResponses,
	refusal,
} from "../../src/core/index.js";

const thingBody = z.object({ thing: z.object({ id: z.number(), name: z.string() }) });
const thingFound = answer(200, "thing.found", thingBody);
const thingDeleted = answer(204, "thing.deleted");
const thingNotFound = refusal(404, "thing.notfound", "No such thing.");

const thingExist = createChecker("thingExist").handler((id: number, output) =>
	id === 1 ? output("thing.exist", { id: 1, name: "Dofus", secret: "kept" }) : output("thing.missing", null),
);
const thingFoundPreset = createPresetChecker(thingExist, {
	result: "thing.exist",
	indexing: "thing",
	catch: thingNotFound,
});

function thingApp() {
	const app = createApp({ environment: "TEST" });
	app
		.declareRoute("GET", "/things/{id}")
		.extract({ params: { id: z.coerce.number() } })
		.presetCheck(thingFoundPreset, (pickup) => pickup("id"))
		.handler(({ pickup }, response) => thingFound.send(response, { thing: pickup("thing") }), thingFound);
	app
		.declareRoute("DELETE", "/things/{id}")
		.extract({ params: { id: z.coerce.number() } })
		.check(thingExist, { input: (pickup) => pickup("id"), result: "thing.exist", catch: thingNotFound })
		.handler((_floor, response) => thingDeleted.send(response), thingDeleted);
	app
		.declareRoute("GET", "/things/{id}/fast")
		.extract({ params: { id: z.coerce.number() } })
		.presetCheck(thingFoundPreset, (pickup) => pickup("id"))
		.handler(({ pickup }, response) => thingFound.respond(response, { thing: pickup("thing") }), thingFound);
	app
		.declareRoute("GET", "/gone")
		.handler((_floor, response) => thingNotFound.send(response, "It went away."), thingNotFound);
	return app;
}

describe("answer() and refusal()", () => {
	it("send their code, info and body, serialised from the schema (unknown fields dropped)", async () => {
		const app = thingApp();
		const found = await app.inject({ url: "/things/1" });
		expect(found).toAnswer(200, "thing.found");
		expect(found.json()).toEqual({ thing: { id: 1, name: "Dofus" } });
		expect(await app.inject({ method: "DELETE", url: "/things/1" })).toAnswer(204, "thing.deleted");
	});

	it("respond() from a handler like send(), without the throw", async () => {
		const app = thingApp();
		const found = await app.inject({ url: "/things/1/fast" });
		expect(found).toAnswer(200, "thing.found");
		expect(found.json()).toEqual({ thing: { id: 1, name: "Dofus" } });
		expect(await app.inject({ url: "/things/2/fast" })).toAnswer(404, "thing.notfound");
	});

	it("send a refusal with its default message, or the one given", async () => {
		const app = thingApp();
		const missing = await app.inject({ url: "/things/2" });
		expect(missing).toAnswer(404, "thing.notfound");
		expect(missing.json()).toEqual({ error: "thing.notfound", message: "No such thing." });
		expect((await app.inject({ url: "/gone" })).json()).toEqual({ error: "thing.notfound", message: "It went away." });
	});

	it("declare themselves: a preset or check whose catch is a refusal needs no other contract", async () => {
		const app = thingApp();
		const [get, remove] = app.routes;
		const declared = (route: typeof get) =>
			declaredResponses(route as NonNullable<typeof get>)
				.filter((one) => one.origin === "step")
				.map((one) => `${one.code} ${one.info}`);
		expect(declared(get)).toEqual(["404 thing.notfound", "200 thing.found"]);
		expect(declared(remove)).toEqual(["404 thing.notfound", "204 thing.deleted"]);
		// The check's refusal is held to its declaration by the runtime check too.
		expect(await app.inject({ method: "DELETE", url: "/things/2" })).toAnswer(404, "thing.notfound");
	});

	it("refuse bad declarations", () => {
		expect(() => answer(42, "x")).toThrow(DeclarationError);
		expect(() => answer(200, "")).toThrow("answer(200): the info must be a non-empty string.");
		expect(() => refusal(200, "ok", "fine")).toThrow('refusal(200, "ok"): a refusal is a 4xx or 5xx answer.');
		expect(() => refusal(404, "x.notfound", "")).toThrow('refusal(404, "x.notfound"): give the message people read.');
	});
});
