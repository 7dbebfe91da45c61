// The toAnswer matcher: passes on the right status and info, and fails with the body in its message.
import { describe, expect, it } from "vitest";
import { createApp, IHaveSentThis } from "../src/core/index.js";
import { unchecked } from "./helpers/unchecked.js";

function app() {
	const app = createApp({ environment: "TEST" });
	app
		.declareRoute("GET", "/found")
		.handler(
			(_floor, response) => response.code(200).info("thing.found").send({ id: 1 }),
			new IHaveSentThis(200, "thing.found"),
		);
	// Sends an answer it does not declare: the contract check turns it into a 500 that explains why.
	app
		.declareRoute("GET", "/undeclared")
		.handler(
			(_floor, response) => unchecked(response).code(202).info("thing.accepted").send(),
			new IHaveSentThis(200, "thing.found"),
		);
	return app;
}

describe("expect(response).toAnswer(code, info)", () => {
	it("passes on the status and info sent, and on the status alone", async () => {
		const response = await app().inject({ url: "/found" });
		expect(response).toAnswer(200, "thing.found");
		expect(response).toAnswer(200);
		expect(response).not.toAnswer(200, "thing.other");
		expect(response).not.toAnswer(404);
	});

	it("fails with what came back and the body, where the contract check's explanation is", async () => {
		const response = await app().inject({ url: "/undeclared" });
		expect(() => expect(response).toAnswer(202, "thing.accepted")).toThrow(
			/expected the answer 202 thing\.accepted, got 500 WHAT_WAS_SENT_ERROR, with the body:[\s\S]*sent 202 with info \\"thing\.accepted\\", which it does not declare/,
		);
	});

	it("refuses what is not an injected response", () => {
		expect(() => expect({ status: 200 }).toAnswer(200)).toThrow("toAnswer expects an injected response");
	});
});
