// Specification of app.answerError: an app-wide answer to a class of errors, sent by the framework and declared once.
import { describe, expect, it } from "vitest";
import {
	createApp,
	DeclarationError,
	declaredResponses,
	type ErrorAnswer,
	generateOpenApi,
	IHaveSentThis,
} from "../../src/core/index.js";
import { captureLogs } from "../helpers/log-capture.js";

class BackendDown extends Error {
	override name = "BackendDown";
	code = "BACKEND_DOWN";
}

const backendDown: ErrorAnswer = {
	code: 503,
	info: "BACKEND_UNAVAILABLE",
	message: "The backend is unavailable; retry shortly.",
	headers: { "retry-after": "2" },
	matches: (error) => error instanceof BackendDown || (error instanceof Error && error.cause instanceof BackendDown),
};

function appWithAnswer(environment: "DEV" | "TEST" | "PROD" = "TEST", logs = captureLogs("warn")) {
	const app = createApp({ environment, logger: logs.logger });
	app.answerError(backendDown);
	app.declareRoute("GET", "/down").handler(async () => {
		await Promise.resolve();
		throw new Error("Failed query: select secret", { cause: new BackendDown("socket closed at 10.0.0.7") });
	}, new IHaveSentThis(200, "thing.found"));
	app.declareRoute("GET", "/down-sync").handler(() => {
		throw new BackendDown("refused");
	}, new IHaveSentThis(200, "thing.found"));
	app.declareRoute("GET", "/bug").handler(() => {
		throw new Error("a bug");
	}, new IHaveSentThis(200, "thing.found"));
	return { app, logs };
}

describe("app.answerError", () => {
	for (const environment of ["DEV", "TEST", "PROD"] as const) {
		it(`answers a matching error with its code, info, headers and a body without the error in ${environment}`, async () => {
			const { app } = appWithAnswer(environment);
			const response = await app.inject({ url: "/down" });
			expect([response.statusCode, response.info, response.headers["retry-after"]]).toEqual([
				503,
				"BACKEND_UNAVAILABLE",
				"2",
			]);
			expect(response.json()).toEqual({
				error: "BACKEND_UNAVAILABLE",
				message: "The backend is unavailable; retry shortly.",
				requestId: response.headers["x-request-id"],
			});
			expect(response.body).not.toMatch(/secret|10\.0\.0\.7|stack/);
		});
	}

	it("answers errors thrown synchronously too", async () => {
		const { app } = appWithAnswer();
		const response = await app.inject({ url: "/down-sync" });
		expect([response.statusCode, response.info]).toEqual([503, "BACKEND_UNAVAILABLE"]);
	});

	it("leaves other errors to the error handler", async () => {
		const { app } = appWithAnswer();
		const response = await app.inject({ url: "/bug" });
		expect([response.statusCode, response.info]).toEqual([500, "INTERNAL_SERVER_ERROR"]);
	});

	it("logs the answered error at warn with the request id", async () => {
		const { app, logs } = appWithAnswer();
		const response = await app.inject({ url: "/down" });
		const line = logs.lines.find((one) => one.info === "BACKEND_UNAVAILABLE");
		expect(line).toMatchObject({
			level: 40,
			reqId: response.headers["x-request-id"],
			msg: "request answered 503 BACKEND_UNAVAILABLE",
		});
	});

	it("logs at the level the answer names instead", async () => {
		const logs = captureLogs("debug");
		const app = createApp({ environment: "TEST", logger: logs.logger });
		app.answerError({ ...backendDown, logLevel: "debug" });
		app.declareRoute("GET", "/down").handler(() => {
			throw new BackendDown("refused");
		}, new IHaveSentThis(200, "thing.found"));
		await app.inject({ url: "/down" });
		const answered = logs.lines.filter((one) => one.info === "BACKEND_UNAVAILABLE");
		expect(answered.map((one) => [one.level, one.msg])).toEqual([[20, "request answered 503 BACKEND_UNAVAILABLE"]]);
	});

	it("lets an onError hook that sends answer first", async () => {
		const { app } = appWithAnswer();
		app.addHook("onError", (_request, response) => response.code(200).info("thing.found").send({ recovered: true }));
		const response = await app.inject({ url: "/down" });
		expect([response.statusCode, response.info]).toEqual([200, "thing.found"]);
	});

	it("is tried before a custom error handler", async () => {
		const { app } = appWithAnswer();
		app.setErrorHandler((_request, response) =>
			response.code(500).info("INTERNAL_SERVER_ERROR").send({ custom: true }),
		);
		expect((await app.inject({ url: "/down" })).statusCode).toBe(503);
		expect((await app.inject({ url: "/bug" })).json()).toEqual({ custom: true });
	});

	it("is declared in every route's responses, with its headers, and listed in the OpenAPI document", () => {
		const { app } = appWithAnswer();
		const route = app.routes[0];
		if (route === undefined) throw new Error("no route");
		expect(declaredResponses(route, app.errorAnswers)).toContainEqual({
			code: 503,
			info: "BACKEND_UNAVAILABLE",
			schema: undefined,
			origin: "framework",
			headers: ["retry-after"],
		});
		expect(declaredResponses(route).some((one) => one.code === 503)).toBe(false);
		const document = generateOpenApi(app.routes, {
			info: { title: "t", version: "1" },
			errorAnswers: app.errorAnswers,
		});
		const answer = document.paths["/down"]?.get?.responses["503"];
		expect(answer?.["x-infos"]).toEqual(["BACKEND_UNAVAILABLE"]);
		expect(Object.keys(answer?.headers ?? {})).toEqual(["info", "retry-after"]);
	});

	it("refuses a non-error status code, and declarations once the app is built", () => {
		const app = createApp({ environment: "TEST" });
		expect(() => app.answerError({ ...backendDown, code: 200 })).toThrow(DeclarationError);
		app.ready();
		expect(() => app.answerError(backendDown)).toThrow(DeclarationError);
	});
});
