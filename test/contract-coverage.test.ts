// Specification of the contract coverage measure: route × declared response, crossed with the responses tests produced.
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { createApp, createProcess, IHaveSentThis } from "../src/core/index.js";
import { measureContractCoverage, percentage } from "./helpers/contract-coverage.js";

const authenticated = createProcess("authenticated").build(
	[],
	new IHaveSentThis(401, ["session.missing", "session.expired"]),
);

function sampleApp() {
	const app = createApp({ environment: "TEST" });
	app
		.declareRoute("GET", "/api/things/{id}")
		.extract({ params: { id: z.coerce.number() } })
		.process(authenticated)
		.handler(
			(_floor, response) => response.code(200).info("thing.found").send(),
			new IHaveSentThis(200, "thing.found"),
			new IHaveSentThis(404, "thing.notfound"),
		);
	return app;
}

describe("measureContractCoverage", () => {
	it("counts each route × (code, info) its steps and processes declare, and marks those some test produced", () => {
		const coverage = measureContractCoverage(sampleApp(), [
			{ method: "GET", path: "/api/things/{id}", status: 200, info: "thing.found" },
			{ method: "GET", path: "/api/things/{id}", status: 401, info: "session.missing" },
		]);
		expect(coverage.counted.map((row) => `${row.code} ${row.info} ${row.covered ? "✓" : "✗"}`).sort()).toEqual([
			"200 thing.found ✓",
			"401 session.expired ✗",
			"401 session.missing ✓",
			"404 thing.notfound ✗",
		]);
	});

	it("lists the framework's answers apart, so they do not count", () => {
		const coverage = measureContractCoverage(sampleApp(), [
			{ method: "GET", path: "/api/things/{id}", status: 400, info: "TYPE_ERROR.params.id" },
		]);
		expect(coverage.framework.find((row) => row.info === "TYPE_ERROR.params.id")?.covered).toBe(true);
		expect(coverage.framework.map((row) => row.info)).toContain("INTERNAL_SERVER_ERROR");
		expect(coverage.counted.some((row) => row.info.startsWith("TYPE_ERROR"))).toBe(false);
	});

	it("credits a HEAD request to the GET route that served it", () => {
		const coverage = measureContractCoverage(sampleApp(), [
			{ method: "HEAD", path: "/api/things/{id}", status: 404, info: "thing.notfound" },
		]);
		expect(coverage.counted.find((row) => row.info === "thing.notfound")?.covered).toBe(true);
	});

	it("reports responses no contract declares, and ignores routes the app does not have", () => {
		const coverage = measureContractCoverage(sampleApp(), [
			{ method: "GET", path: "/api/things/{id}", status: 500, info: "WHAT_WAS_SENT_ERROR" },
			{ method: "GET", path: "/hello", status: 200, info: null },
		]);
		expect(coverage.undeclared).toEqual(["GET /api/things/{id} 500 WHAT_WAS_SENT_ERROR"]);
	});

	it("rounds the figure down, so a threshold is never reached by rounding", () => {
		expect(percentage(2, 3)).toBe(66.6);
		expect(percentage(0, 0)).toBe(100);
	});
});
