import { Agent, request as httpRequest, type IncomingHttpHeaders } from "node:http";
import { connect, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { type App, createApp } from "../../src/core/index.js";
import { unchecked } from "../helpers/unchecked.js";

let running: App | undefined;
afterEach(async () => {
	await running?.close();
	running = undefined;
});

async function serve(
	declare: (app: App) => void,
	options: { bodyLimit?: number; shutdownTimeout?: number; shutdownGrace?: number } = {},
) {
	// A short grace keeps the afterEach close() quick when fetch left a kept-alive connection open.
	const app = createApp({ environment: "TEST", shutdownGrace: 100, ...options });
	declare(app);
	running = app;
	const { port } = await app.listen({ host: "127.0.0.1", port: 0 });
	return { app, base: `http://127.0.0.1:${port}`, port };
}

/** A raw request, to control chunked uploads precisely. */
function rawPost(port: number, path: string, chunks: string[], headers: Record<string, string>) {
	return new Promise<{ status: number; body: string; headers: Record<string, unknown> }>((resolve, reject) => {
		const req = httpRequest({ host: "127.0.0.1", port, path, method: "POST", headers }, (res) => {
			let body = "";
			res.setEncoding("utf8");
			res.on("data", (chunk: string) => (body += chunk));
			res.on("end", () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
		});
		req.on("error", reject);
		for (const chunk of chunks) req.write(chunk);
		req.end();
	});
}

describe("over a real socket", () => {
	it("serves routes, params and JSON bodies read from the stream", async () => {
		const { base } = await serve((app) =>
			app
				.declareRoute("POST", "/users/{id}")
				.extract({ params: { id: z.coerce.number() }, body: { name: z.string() } })
				.handler(({ pickup }, response) =>
					unchecked(response)
						.code(200)
						.info("user.echo")
						.send({ id: pickup("id"), name: pickup("name") }),
				),
		);
		const response = await fetch(`${base}/users/3`, {
			method: "POST",
			headers: { "content-type": "application/json" },
			body: JSON.stringify({ name: "Cra" }),
		});
		expect(response.status).toBe(200);
		expect(response.headers.get("info")).toBe("user.echo");
		expect(response.headers.get("x-request-id")).toBeTruthy();
		expect(await response.json()).toEqual({ id: 3, name: "Cra" });
	});

	it("runs onReady with the bound address once listening", async () => {
		const seen: { host: string; port: number }[] = [];
		const { port } = await serve((app) => {
			app.addHook("onReady", (address) => void (address && seen.push(address)));
			app.declareRoute("GET", "/x").handler((_floor, response) => response.send());
		});
		expect(seen).toEqual([{ host: "127.0.0.1", port }]);
	});

	it("answers malformed JSON with 400 BODY_PARSE_ERROR", async () => {
		const { port } = await serve((app) =>
			app
				.declareRoute("POST", "/j")
				.extract({ body: z.unknown() })
				.handler((_floor, response) => response.send()),
		);
		const response = await rawPost(port, "/j", ['{"broken": '], { "content-type": "application/json" });
		expect(response.status).toBe(400);
		expect(response.headers.info).toBe("BODY_PARSE_ERROR");
	});

	it("refuses a declared content-length over the limit with 413 before reading", async () => {
		const { port } = await serve(
			(app) =>
				app
					.declareRoute("POST", "/j")
					.extract({ body: z.unknown() })
					.handler((_floor, response) => response.send()),
			{ bodyLimit: 64 },
		);
		const response = await rawPost(port, "/j", ["x".repeat(100)], {
			"content-type": "text/plain",
			"content-length": "100",
		});
		expect(response.status).toBe(413);
	});

	it("stops reading a chunked upload as soon as it passes the limit", async () => {
		const { port } = await serve(
			(app) =>
				app
					.declareRoute("POST", "/j")
					.extract({ body: z.unknown() })
					.handler((_floor, response) => unchecked(response).code(200).send()),
			{ bodyLimit: 64 },
		);
		const response = await rawPost(port, "/j", ["x".repeat(50), "y".repeat(50)], {
			"content-type": "text/plain",
			"transfer-encoding": "chunked",
		});
		expect(response.status).toBe(413);
		expect(JSON.parse(response.body).error).toBe("PAYLOAD_TOO_LARGE");
	});

	it("survives a client that disconnects in the middle of its upload", async () => {
		const failures: unknown[] = [];
		const { port, base } = await serve((app) => {
			app.addHook("onError", (_request, _response, error) => void failures.push(error));
			app
				.declareRoute("POST", "/j")
				.extract({ body: z.unknown() })
				.handler((_floor, response) => unchecked(response).code(200).info("ok").respond());
			app.declareRoute("GET", "/up").handler((_floor, response) => unchecked(response).code(200).info("up").respond());
		});
		await new Promise<void>((resolve) => {
			const req = httpRequest({
				host: "127.0.0.1",
				port,
				path: "/j",
				method: "POST",
				headers: { "content-type": "text/plain", "content-length": "100" },
			});
			req.on("error", () => resolve());
			req.write("only ten b");
			setTimeout(() => {
				req.destroy();
				resolve();
			}, 30);
		});
		await new Promise((resolve) => setTimeout(resolve, 30));
		expect(failures).toHaveLength(1);
		expect((await fetch(`${base}/up`)).status).toBe(200);
	});

	it("lets in-flight requests finish on close, then refuses new connections and runs onClose", async () => {
		let closed = false;
		let release: () => void = () => undefined;
		let markStarted: () => void = () => undefined;
		const started = new Promise<void>((resolve) => (markStarted = resolve));
		const { app, base } = await serve((app) => {
			app.addHook("onClose", () => {
				closed = true;
			});
			app.declareRoute("GET", "/slow").handler(async (_floor, response) => {
				markStarted();
				await new Promise<void>((resolve) => (release = resolve));
				unchecked(response).code(200).send({ done: true });
			});
		});
		const inFlight = fetch(`${base}/slow`).then(async (response) => ({
			status: response.status,
			connection: response.headers.get("connection"),
			body: await response.json(),
		}));
		await started;
		const closing = app.close();
		await new Promise((resolve) => setTimeout(resolve, 30));
		expect(closed).toBe(false);
		await expect(fetch(`${base}/slow`)).rejects.toThrow();
		release();
		// Its answer was not started when shutdown began: it tells the client the connection closes.
		expect(await inFlight).toEqual({ status: 200, connection: "close", body: { done: true } });
		await closing;
		expect(closed).toBe(true);
	});

	it("cuts requests that outlive the shutdown timeout, then runs onClose", async () => {
		const sockets: Socket[] = [];
		const seenByOnClose: boolean[] = [];
		const { app, base } = await serve(
			(app) => {
				// What onClose sees: whether every connection had been cut by then.
				app.addHook("onClose", () => void seenByOnClose.push(sockets.every((socket) => socket.destroyed)));
				app.declareRoute("GET", "/stuck").handler(() => new Promise(() => undefined));
			},
			{ shutdownTimeout: 50 },
		);
		app.server?.on("connection", (socket: Socket) => sockets.push(socket));
		const stuck = fetch(`${base}/stuck`).then(
			() => "answered",
			() => "cut",
		);
		await new Promise((resolve) => setTimeout(resolve, 20));
		await app.close();
		expect(await stuck).toBe("cut");
		expect(sockets).toHaveLength(1);
		expect(seenByOnClose).toEqual([true]);
	});
});

/** One request on a kept-alive agent; resolves with what came back, or the error code. */
function agentGet(agent: Agent, port: number, path: string) {
	return new Promise<
		{ status: number; connection: string | undefined; reusedSocket: boolean; body: string } | { error: string }
	>((resolve) => {
		const req = httpRequest({ host: "127.0.0.1", port, path, agent }, (res) => {
			let body = "";
			res.setEncoding("utf8");
			res.on("data", (chunk: string) => (body += chunk));
			res.on("end", () =>
				resolve({
					status: res.statusCode ?? 0,
					connection: (res.headers as IncomingHttpHeaders).connection,
					reusedSocket: req.reusedSocket,
					body,
				}),
			);
		});
		req.on("error", (error: NodeJS.ErrnoException) => resolve({ error: error.code ?? error.message }));
		req.end();
	});
}

/** Resolves once the app's listener is closed (close() first takes the connections already queued). */
async function listenerClosed(app: App): Promise<void> {
	while (app.server?.listening === true) await new Promise((resolve) => setImmediate(resolve));
}

/**
 * Opens `count` connections and sends a request on each, resolving once all are connected and written,
 * and before the server has had a chance to accept most of them: libuv accepts one connection per loop
 * iteration, so the rest wait in the listener's accept queue.
 */
async function queueRequests(port: number, count: number) {
	const sockets = Array.from({ length: count }, () => connect(port, "127.0.0.1"));
	const answers = sockets.map(
		(socket) =>
			new Promise<string>((resolve) => {
				let received = "";
				socket.setEncoding("utf8");
				socket.on("data", (chunk: string) => (received += chunk));
				socket.on("error", (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
				socket.on("close", () => resolve(received.split("\r\n")[0] ?? ""));
			}),
	);
	await Promise.all(
		sockets.map(
			(socket) =>
				new Promise<void>((resolve) =>
					socket.once("connect", () =>
						socket.write("GET /x HTTP/1.1\r\nhost: test\r\nconnection: keep-alive\r\n\r\n", () => resolve()),
					),
				),
		),
	);
	return answers;
}

describe("app.close() and kept-alive connections", () => {
	it("answers the requests of connections still waiting in the accept queue when close() starts, instead of resetting them", async () => {
		let accepted = 0;
		const { app, port } = await serve((app) =>
			app.declareRoute("GET", "/x").handler((_floor, response) => unchecked(response).code(200).info("x").respond("x")),
		);
		app.server?.on("connection", () => accepted++);
		const answers = await queueRequests(port, 20);
		// Most connections are still queued: closing the listener now, as a plain close() does, would reset them.
		const acceptedAtClose = accepted;
		expect(acceptedAtClose).toBeLessThan(20);
		await app.close();
		expect(await Promise.all(answers)).toEqual(Array.from({ length: 20 }, () => "HTTP/1.1 200 OK"));
		expect(accepted).toBe(20);
	});

	it("stops listening within shutdownGrace even when connections keep arriving", async () => {
		const { app, port } = await serve(
			(app) =>
				app
					.declareRoute("GET", "/x")
					.handler((_floor, response) => unchecked(response).code(200).info("x").respond("x")),
			{
				shutdownGrace: 200,
			},
		);
		let stop = false;
		// Ten clients, each opening a new connection as soon as its previous one connected: the accept queue never empties.
		const connector = async () => {
			let refused = false;
			while (!stop && !refused) {
				refused = await new Promise<boolean>((resolve) => {
					const socket = connect(port, "127.0.0.1");
					socket.once("connect", () => {
						socket.destroy();
						resolve(false);
					});
					socket.once("error", () => resolve(true));
				});
			}
			return refused;
		};
		const flood = Promise.all(Array.from({ length: 10 }, connector));
		const started = performance.now();
		const closing = app.close();
		await listenerClosed(app);
		const listenedFor = performance.now() - started;
		stop = true;
		expect(await flood).toEqual(Array.from({ length: 10 }, () => true));
		await closing;
		expect(listenedFor).toBeGreaterThanOrEqual(190);
		expect(listenedFor).toBeLessThan(5_000);
	});

	it("serves a request sent on an idle kept-alive socket during the grace, with Connection: close, and refuses new connections", async () => {
		const { app, port } = await serve(
			(app) =>
				app
					.declareRoute("GET", "/x")
					.handler((_floor, response) => unchecked(response).code(200).info("x").respond("x")),
			{
				shutdownGrace: 5_000,
			},
		);
		const agent = new Agent({ keepAlive: true, maxSockets: 1 });
		expect(await agentGet(agent, port, "/x")).toMatchObject({
			status: 200,
			connection: "keep-alive",
			reusedSocket: false,
		});
		const closing = app.close();
		await listenerClosed(app);
		// The socket is idle: a plain http.Server#close() would have closed it already, and this request would be reset.
		expect(await agentGet(agent, port, "/x")).toEqual({
			status: 200,
			connection: "close",
			reusedSocket: true,
			body: "x",
		});
		// Its socket closed after that answer, and the listener is closed: a new connection is refused.
		expect(await agentGet(agent, port, "/x")).toEqual({ error: "ECONNREFUSED" });
		// Nothing is left open, so close() does not wait for the 5 s grace.
		await closing;
		agent.destroy();
	});

	it("closes idle kept-alive sockets once the grace is over", async () => {
		const { app, port } = await serve(
			(app) =>
				app
					.declareRoute("GET", "/x")
					.handler((_floor, response) => unchecked(response).code(200).info("x").respond("x")),
			{
				shutdownGrace: 100,
			},
		);
		const agent = new Agent({ keepAlive: true, maxSockets: 1 });
		expect(await agentGet(agent, port, "/x")).toMatchObject({ status: 200, connection: "keep-alive" });
		const [socket] = Object.values(agent.freeSockets).flat();
		const socketClosed = new Promise<void>((resolve) => socket?.once("close", () => resolve()));
		expect(socket).toBeDefined();
		await app.close();
		await socketClosed;
		agent.destroy();
	});
});
