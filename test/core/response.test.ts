import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { createApp, isResponseSignal, type Response } from "../../src/core/index.js";
import { captureLogs } from "../helpers/log-capture.js";
import { unchecked } from "../helpers/unchecked.js";

function single(handler: (floor: unknown, response: Response) => unknown) {
	const app = createApp({ environment: "TEST" });
	app.declareRoute("GET", "/r").handler((floor, response) => handler(floor, unchecked(response)));
	return app;
}

describe("cut", () => {
	it("drops the listed keys of the object it returns", async () => {
		const app = createApp({ environment: "TEST" });
		app
			.declareRoute("GET", "/c")
			.cut(() => ({ a: 1, b: "two", hidden: true }), ["a", "b"])
			.cut(async ({ pickup }) => ({ sum: pickup("a") + 1 }), ["sum"])
			.handler(({ pickup }, response) =>
				unchecked(response)
					.code(200)
					.send({ a: pickup("a"), b: pickup("b"), sum: pickup("sum") }),
			);
		expect((await app.inject({ url: "/c" })).json()).toEqual({ a: 1, b: "two", sum: 2 });
	});

	it("ends the pipeline when it sends: code after send() and later steps do not run", async () => {
		const ran: string[] = [];
		const app = createApp({ environment: "TEST" });
		app
			.declareRoute("GET", "/c/{n}")
			.extract({ params: { n: z.coerce.number() } })
			.cut(({ pickup }, response) => {
				if (pickup("n") > 10) unchecked(response).code(400).info("n.too_big").send();
				ran.push("after-send");
				return {};
			})
			.cut(() => {
				ran.push("next-step");
			})
			.handler((_floor, response) => unchecked(response).code(200).send());
		const response = await app.inject({ url: "/c/11" });
		expect(response.statusCode).toBe(400);
		expect(response.info).toBe("n.too_big");
		expect(ran).toEqual([]);
	});

	it("answers 500 when a cut declared to drop keys returns nothing", async () => {
		const app = createApp({ environment: "TEST" });
		app
			.declareRoute("GET", "/c")
			.cut(() => undefined as unknown as { a: number }, ["a"])
			.handler((_floor, response) => unchecked(response).code(200).send());
		expect((await app.inject({ url: "/c" })).statusCode).toBe(500);
	});
});

describe("handler and response", () => {
	it("sends objects as JSON, strings as text and Buffers as bytes", async () => {
		expect((await single((_f, r) => r.send({ ok: true })).inject({ url: "/r" })).headers["content-type"]).toBe(
			"application/json; charset=utf-8",
		);
		const text = await single((_f, r) => r.send("héllo")).inject({ url: "/r" });
		expect(text.headers["content-type"]).toBe("text/plain; charset=utf-8");
		expect(text.body).toBe("héllo");
		expect(text.headers["content-length"]).toBe(Buffer.byteLength("héllo"));
		const bytes = await single((_f, r) => r.send(Buffer.from([1, 2, 3]))).inject({ url: "/r" });
		expect(bytes.headers["content-type"]).toBe("application/octet-stream");
		expect([...bytes.rawBody]).toEqual([1, 2, 3]);
	});

	it("puts the info in the `info` header and extra headers as given", async () => {
		const response = await single((_f, r) =>
			r.code(201).info("thing.created").headers({ "X-Trace": "abc", "cache-control": "no-store" }).send({}),
		).inject({ url: "/r" });
		expect(response.statusCode).toBe(201);
		expect(response.info).toBe("thing.created");
		expect(response.headers["x-trace"]).toBe("abc");
		expect(response.headers["cache-control"]).toBe("no-store");
	});

	it("sends no body and no content-type for 204", async () => {
		const response = await single((_f, r) => r.code(204).send()).inject({ url: "/r" });
		expect(response.statusCode).toBe(204);
		expect(response.body).toBe("");
		expect(response.headers["content-type"]).toBeUndefined();
	});

	it("sets cookies", async () => {
		const response = await single((_f, r) =>
			r.setCookie("session", "abc", { httpOnly: true, sameSite: "lax" }).setCookie("theme", "dark").send(),
		).inject({ url: "/r" });
		expect(response.headers["set-cookie"]).toEqual([
			"session=abc; Path=/; HttpOnly; SameSite=Lax",
			"theme=dark; Path=/",
		]);
	});

	it("redirects", async () => {
		const response = await single((_f, r) => r.redirect("/elsewhere", 303)).inject({ url: "/r" });
		expect(response.statusCode).toBe(303);
		expect(response.headers.location).toBe("/elsewhere");
	});

	it("streams a file with its content type and length, and 404s a missing one", async () => {
		const folder = await mkdtemp(join(tmpdir(), "core-file-"));
		const path = join(folder, "page.html");
		await writeFile(path, "<h1>Dofus</h1>");
		const found = await single((_f, r) => r.sendFile(path)).inject({ url: "/r" });
		expect(found.statusCode).toBe(200);
		expect(found.headers["content-type"]).toBe("text/html; charset=utf-8");
		expect(found.headers["content-length"]).toBe(14);
		expect(found.body).toBe("<h1>Dofus</h1>");
		const missing = await single((_f, r) => r.sendFile(join(folder, "nope.html"))).inject({ url: "/r" });
		expect(missing.statusCode).toBe(404);
	});

	it("writes a file or a stream once, then runs the afterSend hooks once, logging no failure", async () => {
		const folder = await mkdtemp(join(tmpdir(), "core-file-"));
		const path = join(folder, "page.txt");
		await writeFile(path, "Dofus");
		const logs = captureLogs("error");
		const app = createApp({ environment: "TEST", logger: logs.logger });
		const sent: number[] = [];
		app.addHook("afterSend", (_request, response) => {
			sent.push(response.statusCode);
		});
		app.declareRoute("GET", "/file").handler((_floor, response) => unchecked(response).sendFile(path));
		app
			.declareRoute("GET", "/stream")
			.handler((_floor, response) => unchecked(response).stream(Readable.from(["a", "b"]), "text/plain"));
		expect((await app.inject({ url: "/file" })).body).toBe("Dofus");
		expect((await app.inject({ url: "/stream" })).body).toBe("ab");
		expect(sent).toEqual([200, 200]);
		expect(logs.lines).toEqual([]);
	});

	it("pipes a stream", async () => {
		const response = await single((_f, r) => r.stream(Readable.from(["a", "b", "c"]), "text/plain")).inject({
			url: "/r",
		});
		expect(response.body).toBe("abc");
		expect(response.headers["content-type"]).toBe("text/plain");
	});

	it("answers 500 NO_RESPONSE_SENT when the handler returns without sending", async () => {
		const response = await single(() => undefined).inject({ url: "/r" });
		expect(response.statusCode).toBe(500);
		expect(response.info).toBe("NO_RESPONSE_SENT");
		expect(response.json().error).toBe("NO_RESPONSE_SENT");
	});

	it("answers 500 NO_RESPONSE_SENT when an async handler resolves without sending", async () => {
		const response = await single(async () => {
			await new Promise((resolve) => setTimeout(resolve, 1));
		}).inject({ url: "/r" });
		expect(response.info).toBe("NO_RESPONSE_SENT");
	});

	it("treats sending twice as an error, with a message that explains it", async () => {
		let message = "";
		const app = createApp({ environment: "TEST" });
		app.addHook("onError", (_request, _response, error) => {
			message = (error as Error).message;
		});
		app.declareRoute("GET", "/r").handler((_floor, response) => {
			try {
				unchecked(response).code(200).send("first");
			} catch {
				// Swallowing the response signal is the mistake this test makes on purpose.
			}
			unchecked(response).code(200).send("second");
		});
		const response = await app.inject({ url: "/r" });
		expect(response.statusCode).toBe(500);
		expect(message).toMatch(/already sent/);
	});

	it("stops the handler at send(): an early exit through a never-returning helper runs nothing after it", async () => {
		const effects: string[] = [];
		const fail = (response: Response, code: number, info: string): never =>
			response.code(code).info(info).send({ error: info });
		const app = createApp({ environment: "TEST" });
		app
			.declareRoute("DELETE", "/members/{id}")
			.extract({ params: { id: z.coerce.number() } })
			.handler(({ pickup }, response) => {
				if (pickup("id") === 1) fail(unchecked(response), 409, "owner.last");
				effects.push(`deleted ${pickup("id")}`);
				unchecked(response).code(204).info("member.removed").send();
			});
		expect((await app.inject({ method: "DELETE", url: "/members/1" })).statusCode).toBe(409);
		expect(effects).toEqual([]);
		expect((await app.inject({ method: "DELETE", url: "/members/2" })).statusCode).toBe(204);
		expect(effects).toEqual(["deleted 2"]);
	});

	it("sends what a handler returns from respond(), synchronously or after an await", async () => {
		const sync = await single((_f, r) => r.code(201).info("thing.created").respond({ id: 1 })).inject({ url: "/r" });
		expect(sync.statusCode).toBe(201);
		expect(sync.info).toBe("thing.created");
		expect(sync.json()).toEqual({ id: 1 });
		const later = await single(async (_f, r) => {
			await new Promise((resolve) => setTimeout(resolve, 1));
			return r.code(200).info("thing.found").respond("late");
		}).inject({ url: "/r" });
		expect(later.body).toBe("late");
	});

	it("answers 500 when a handler calls respond() without returning it", async () => {
		let message = "";
		const app = createApp({ environment: "TEST" });
		app.addHook("onError", (_request, _response, error) => {
			message = (error as Error).message;
		});
		app.declareRoute("GET", "/r").handler((_floor, response) => {
			unchecked(response).code(200).respond({ id: 1 });
		});
		const response = await app.inject({ url: "/r" });
		expect(response.statusCode).toBe(500);
		expect(message).toMatch(/return response\.respond/);
	});

	it("does not send a response the handler returned without respond()", async () => {
		const response = await single((_f, r) => r.code(200) as never).inject({ url: "/r" });
		expect(response.statusCode).toBe(500);
		expect(response.info).toBe("NO_RESPONSE_SENT");
	});

	it("refuses respond() outside the handler", async () => {
		const app = createApp({ environment: "TEST" });
		app
			.declareRoute("GET", "/r")
			.cut((_floor, response) => {
				unchecked(response).code(200).respond();
			})
			.handler((_floor, response) => response.send());
		expect((await app.inject({ url: "/r" })).statusCode).toBe(500);
	});

	it("still sends the response when a step's try/catch swallowed the signal", async () => {
		const app = createApp({ environment: "TEST" });
		let reachedHandler = false;
		app
			.declareRoute("GET", "/r")
			.cut((_floor, response) => {
				try {
					unchecked(response).code(418).info("teapot").send();
				} catch (signal) {
					expect(isResponseSignal(signal)).toBe(true);
				}
			})
			.handler((_floor, response) => {
				reachedHandler = true;
				response.send();
			});
		const response = await app.inject({ url: "/r" });
		expect(response.statusCode).toBe(418);
		expect(reachedHandler).toBe(false);
	});
});
