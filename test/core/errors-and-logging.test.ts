import { describe, expect, it } from "vitest";
import { createApp, type Environment } from "../../src/core/index.js";
import { captureLogs } from "../helpers/log-capture.js";
import { unchecked } from "../helpers/unchecked.js";

function failingApp(environment: Environment, logs = captureLogs()) {
	const app = createApp({ environment, logger: logs.logger, logRequests: true });
	app.declareRoute("GET", "/fail").handler(() => {
		throw new Error("database exploded at row 7");
	});
	app.declareRoute("GET", "/async-fail").handler(async () => {
		await Promise.resolve();
		throw new Error("late failure");
	});
	app
		.declareRoute("GET", "/ok")
		.handler((_floor, response) => unchecked(response).code(200).info("ok").send({ ok: true }));
	return { app, logs };
}

describe("errors thrown by steps", () => {
	for (const environment of ["PROD", "TEST"] as const) {
		it(`answer 500 INTERNAL_SERVER_ERROR without a stack trace or message in ${environment}`, async () => {
			const { app } = failingApp(environment);
			const response = await app.inject({ url: "/fail" });
			expect(response.statusCode).toBe(500);
			expect(response.info).toBe("INTERNAL_SERVER_ERROR");
			const body = response.json();
			expect(body.error).toBe("INTERNAL_SERVER_ERROR");
			expect(body.stack).toBeUndefined();
			expect(response.body).not.toContain("exploded");
			expect(body.requestId).toBe(response.headers["x-request-id"]);
		});
	}

	it("show the message and stack in DEV", async () => {
		const { app } = failingApp("DEV");
		const body = (await app.inject({ url: "/fail" })).json();
		expect(body.message).toBe("database exploded at row 7");
		expect(body.stack).toContain("Error: database exploded");
	});

	it("are handled the same when thrown after an await", async () => {
		const { app } = failingApp("PROD");
		const response = await app.inject({ url: "/async-fail" });
		expect(response.statusCode).toBe(500);
		expect(response.info).toBe("INTERNAL_SERVER_ERROR");
	});

	it("are logged with the request id", async () => {
		const { app, logs } = failingApp("PROD");
		const response = await app.inject({ url: "/fail", headers: { "x-request-id": "req-abc-123" } });
		expect(response.headers["x-request-id"]).toBe("req-abc-123");
		const failure = logs.lines.find((line) => line.msg === "request failed");
		expect(failure).toMatchObject({ level: 50, reqId: "req-abc-123" });
		const logged = failure?.err as { message: string };
		expect(logged.message).toBe("database exploded at row 7");
	});
});

describe("request id", () => {
	it("is generated when the client sends none, and echoed", async () => {
		const { app } = failingApp("TEST");
		const response = await app.inject({ url: "/ok" });
		expect(response.headers["x-request-id"]).toMatch(/^[\w-]+-[0-9a-z]+$/);
		const next = await app.inject({ url: "/ok" });
		expect(next.headers["x-request-id"]).not.toBe(response.headers["x-request-id"]);
	});

	it("replaces a malformed client id", async () => {
		const { app } = failingApp("TEST");
		const response = await app.inject({ url: "/ok", headers: { "x-request-id": "bad id\nwith newline" } });
		expect(response.headers["x-request-id"]).toMatch(/^[\w-]+-[0-9a-z]+$/);
	});

	it("is bound to the logger every step can use", async () => {
		const logs = captureLogs();
		const app = createApp({ environment: "TEST", logger: logs.logger });
		app.declareRoute("GET", "/log").handler((_floor, response, request) => {
			request.logger.info({ step: "handler" }, "inside the handler");
			response.send();
		});
		await app.inject({ url: "/log", headers: { "x-request-id": "trace-1" } });
		expect(logs.lines.find((line) => line.msg === "inside the handler")).toMatchObject({
			reqId: "trace-1",
			step: "handler",
		});
	});
});

describe("access log", () => {
	it("writes one line per request with method, path, status and time", async () => {
		const { app, logs } = failingApp("PROD");
		await app.inject({ url: "/ok?secret=query-value" });
		await app.inject({ url: "/missing" });
		const lines = logs.lines.filter((line) => line.msg === "request completed");
		expect(lines).toHaveLength(2);
		expect(lines[0]).toMatchObject({ method: "GET", path: "/ok", statusCode: 200 });
		expect(typeof lines[0]?.ms).toBe("number");
		expect(lines[1]).toMatchObject({ path: "/missing", statusCode: 404 });
		expect(logs.text()).not.toContain("query-value");
	});

	it("goes to the access logger when the app is given one, and only there", async () => {
		const logs = captureLogs();
		const access = captureLogs();
		const app = createApp({ environment: "PROD", logger: logs.logger, accessLogger: access.logger });
		app.declareRoute("GET", "/ok").handler((_floor, response) => response.send());
		await app.inject({ url: "/ok", headers: { "x-request-id": "trace-7" } });
		expect(access.lines.filter((line) => line.msg === "request completed")).toEqual([
			expect.objectContaining({ reqId: "trace-7", method: "GET", path: "/ok", statusCode: 200 }),
		]);
		expect(logs.lines.filter((line) => line.msg === "request completed")).toHaveLength(0);
	});

	it("is silent in TEST unless asked", async () => {
		const logs = captureLogs();
		const app = createApp({ environment: "TEST", logger: logs.logger });
		app.declareRoute("GET", "/ok").handler((_floor, response) => response.send());
		await app.inject({ url: "/ok" });
		expect(logs.lines.filter((line) => line.msg === "request completed")).toHaveLength(0);
	});
});

describe("client address", () => {
	function ipApp(trustProxy: number) {
		const app = createApp({ environment: "TEST", trustProxy });
		app.declareRoute("GET", "/ip").handler((_floor, response, request) =>
			unchecked(response)
				.code(200)
				.send({ ip: request.ip ?? null }),
		);
		return app;
	}

	it("is the socket peer by default, whatever x-forwarded-for says", async () => {
		const response = await ipApp(0).inject({
			url: "/ip",
			remoteAddress: "10.0.0.5",
			headers: { "x-forwarded-for": "6.6.6.6" },
		});
		expect(response.json()).toEqual({ ip: "10.0.0.5" });
	});

	it("comes from x-forwarded-for behind trusted proxies, counting from the end", async () => {
		const headers = { "x-forwarded-for": "6.6.6.6, 203.0.113.7" };
		expect((await ipApp(1).inject({ url: "/ip", remoteAddress: "10.0.0.5", headers })).json()).toEqual({
			ip: "203.0.113.7",
		});
		expect((await ipApp(2).inject({ url: "/ip", remoteAddress: "10.0.0.5", headers })).json()).toEqual({
			ip: "6.6.6.6",
		});
		expect((await ipApp(1).inject({ url: "/ip", remoteAddress: "10.0.0.5" })).json()).toEqual({ ip: "10.0.0.5" });
	});
});
