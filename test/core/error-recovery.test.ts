// What happens after a step throws or a hook fails: the error handler answers, a handler that does not send
// leaves a bare 500, a failed send or hook is logged, and an answer already on its way is not replaced.
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { createApp, IHaveSentThis } from "../../src/core/index.js";
import { captureLogs } from "../helpers/log-capture.js";
import { unchecked } from "../helpers/unchecked.js";

function failingApp(options: { environment?: "DEV" | "TEST" | "PROD" } = {}) {
	const logs = captureLogs("error");
	const app = createApp({ environment: options.environment ?? "TEST", logger: logs.logger });
	app.declareRoute("GET", "/fail").handler(() => {
		throw new Error("boom");
	});
	return { app, logs };
}

describe("the default error handler", () => {
	it("gives no message of a thrown value that is not an Error, even in DEV", async () => {
		const app = createApp({ environment: "DEV", logger: captureLogs("silent").logger });
		app.declareRoute("GET", "/fail").handler(() => {
			throw "a string";
		});
		const response = await app.inject({ url: "/fail" });
		expect(response.statusCode).toBe(500);
		expect(response.json()).toEqual({
			error: "INTERNAL_SERVER_ERROR",
			message: "An internal error occurred.",
			requestId: response.headers["x-request-id"],
		});
	});

	it("answers NO_RESPONSE_SENT in the body too when nothing was sent", async () => {
		const app = createApp({ environment: "TEST" });
		app.declareRoute("GET", "/silent").handler(() => undefined);
		const response = await app.inject({ url: "/silent" });
		expect(response.json()).toMatchObject({ error: "NO_RESPONSE_SENT", message: "An internal error occurred." });
	});
});

describe("an error handler", () => {
	it("that does not send leaves a bare 500 with the request id, and is logged", async () => {
		const { app, logs } = failingApp();
		app.setErrorHandler(() => undefined);
		const response = await app.inject({ url: "/fail" });
		expect(response.statusCode).toBe(500);
		expect(response.info).toBe("INTERNAL_SERVER_ERROR");
		expect(response.headers["content-type"]).toBe("application/json; charset=utf-8");
		expect(response.headers["content-length"]).toBe(response.rawBody.length);
		expect(response.json()).toEqual({ error: "INTERNAL_SERVER_ERROR", requestId: response.headers["x-request-id"] });
		expect(logs.lines.map((line) => line.msg)).toContain("failed to send the response");
	});

	it("that resolves without sending leaves a bare 500 too", async () => {
		const { app } = failingApp();
		app.setErrorHandler(async () => undefined);
		const response = await app.inject({ url: "/fail" });
		expect(response.json()).toEqual({ error: "INTERNAL_SERVER_ERROR", requestId: response.headers["x-request-id"] });
	});

	it("may answer after an await, and after asynchronous onError hooks", async () => {
		const { app } = failingApp();
		const seen: string[] = [];
		app.addHook("onError", async (_request, _response, error) => {
			await Promise.resolve();
			seen.push((error as Error).message);
		});
		app.setErrorHandler(async (_request, response) => {
			await Promise.resolve();
			return response.code(503).info("later").send({ later: true });
		});
		const response = await app.inject({ url: "/fail" });
		expect([response.statusCode, response.info]).toEqual([503, "later"]);
		expect(response.json()).toEqual({ later: true });
		expect(seen).toEqual(["boom"]);
	});

	it("that throws leaves a bare 500", async () => {
		const { app } = failingApp();
		app.setErrorHandler(() => {
			throw new Error("handler broke");
		});
		const response = await app.inject({ url: "/fail" });
		expect(response.statusCode).toBe(500);
		expect(response.json().error).toBe("INTERNAL_SERVER_ERROR");
	});

	it("starts from a clean response: headers and info set before the error are gone", async () => {
		const app = createApp({ environment: "TEST", logger: captureLogs("silent").logger });
		app.declareRoute("GET", "/half").handler((_floor, response) => {
			unchecked(response).code(201).info("half.done").header("x-partial", "yes");
			throw new Error("midway");
		});
		const response = await app.inject({ url: "/half" });
		expect(response.statusCode).toBe(500);
		expect(response.info).toBe("INTERNAL_SERVER_ERROR");
		expect(Object.keys(response.headers)).not.toContain("x-partial");
	});
});

describe("a failure while sending", () => {
	it("answers HEAD with a bare 500 and no body", async () => {
		const app = createApp({ environment: "TEST", logger: captureLogs("silent").logger });
		app.declareRoute("GET", "/big").handler((_floor, response) => unchecked(response).code(200).send({ n: 10n }));
		const response = await app.inject({ method: "HEAD", url: "/big" });
		expect(response.statusCode).toBe(500);
		expect(response.body).toBe("");
	});

	it("in an asynchronous beforeSend hook leaves a bare 500 and runs onServerError", async () => {
		const logs = captureLogs("error");
		const app = createApp({ environment: "TEST", logger: logs.logger });
		const errors: string[] = [];
		app.addHook("beforeSend", async () => {
			await Promise.resolve();
			throw new Error("late hook");
		});
		app.addHook("onServerError", (_request, _response, error) => void errors.push((error as Error).message));
		app.declareRoute("GET", "/r").handler((_floor, response) => unchecked(response).code(200).respond({ ok: 1 }));
		const response = await app.inject({ url: "/r" });
		expect(response.statusCode).toBe(500);
		expect(response.json().error).toBe("INTERNAL_SERVER_ERROR");
		expect(errors).toEqual(["late hook"]);
	});

	it("still answers when an onServerError hook fails, and logs that hook's failure", async () => {
		for (const failing of [
			() => {
				throw new Error("hook broke");
			},
			async () => {
				throw new Error("hook broke");
			},
		]) {
			const logs = captureLogs("error");
			const app = createApp({ environment: "TEST", logger: logs.logger });
			app.addHook("onServerError", failing);
			app.declareRoute("GET", "/big").handler((_floor, response) => unchecked(response).code(200).send({ n: 10n }));
			const response = await app.inject({ url: "/big" });
			expect(response.statusCode).toBe(500);
			await new Promise((resolve) => setImmediate(resolve));
			expect(logs.lines.map((line) => line.msg)).toContain("onServerError hook failed");
		}
	});

	it("after the answer was written, in an afterSend hook, is logged and changes nothing", async () => {
		for (const failing of [
			() => {
				throw new Error("after broke");
			},
			async () => {
				throw new Error("after broke");
			},
		]) {
			const logs = captureLogs("error");
			const app = createApp({ environment: "TEST", logger: logs.logger });
			app.addHook("afterSend", failing);
			app.declareRoute("GET", "/r").handler((_floor, response) => unchecked(response).code(200).respond({ ok: 1 }));
			const response = await app.inject({ url: "/r" });
			expect(response.statusCode).toBe(200);
			await new Promise((resolve) => setImmediate(resolve));
			expect(logs.lines.map((line) => line.msg)).toContain("afterSend hook failed");
		}
	});
});

describe("steps after an await", () => {
	it("stop once a step has sent", async () => {
		const ran: string[] = [];
		const app = createApp({ environment: "TEST" });
		app
			.declareRoute("GET", "/r")
			.cut(async () => {
				await Promise.resolve();
				ran.push("first");
			})
			.cut((_floor, response) => {
				ran.push("second");
				try {
					unchecked(response).code(409).info("stop").send();
				} catch {
					// The signal swallowed on purpose: the executor must still stop here.
				}
			})
			.cut(() => void ran.push("third"))
			.handler((_floor, response) => unchecked(response).code(200).respond());
		expect((await app.inject({ url: "/r" })).statusCode).toBe(409);
		expect(ran).toEqual(["first", "second"]);
	});
});

describe("schemas in PROD", () => {
	it("serialise from the first of several schemas declared for a code and info that accepts the body", async () => {
		const app = createApp({ environment: "PROD", logger: captureLogs("silent").logger });
		app
			.declareRoute("GET", "/r")
			.extract({ query: { shape: z.enum(["a", "b"]) } })
			.handler(
				({ pickup }, response) =>
					response
						.code(200)
						.info("thing.found")
						.respond(pickup("shape") === "a" ? { a: 1, hidden: true } : { b: "x", hidden: true }),
				new IHaveSentThis(200, "thing.found", z.object({ a: z.number() })),
				new IHaveSentThis(200, "thing.found", z.object({ b: z.string() })),
			);
		expect((await app.inject({ url: "/r?shape=a" })).json()).toEqual({ a: 1 });
		expect((await app.inject({ url: "/r?shape=b" })).json()).toEqual({ b: "x" });
	});
});
