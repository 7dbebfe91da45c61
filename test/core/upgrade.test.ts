// Specification of upgrade requests in the core: `app.onUpgrade(path, handler)` gets the socket of an Upgrade request to
// its path (other paths and plain requests are served as usual), `writeUpgradeAnswer` answers on it, and shutdown tells
// handlers to close at once, cutting what they still hold at the deadline.
import { request as httpRequest, type IncomingHttpHeaders } from "node:http";
import type { Duplex } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import {
	type App,
	createApp,
	DeclarationError,
	type UpgradeHandler,
	type UpgradeRequest,
	writeUpgradeAnswer,
} from "../../src/core/index.js";
import { unchecked } from "../helpers/unchecked.js";

let running: App | undefined;
afterEach(async () => {
	await running?.close();
	running = undefined;
});

async function serve(
	declare: (app: App) => void,
	options: { shutdownTimeout?: number } = {},
): Promise<{ app: App; port: number }> {
	const app = createApp({ environment: "TEST", shutdownGrace: 100, ...options });
	declare(app);
	running = app;
	const { port } = await app.listen({ host: "127.0.0.1", port: 0 });
	return { app, port };
}

interface Answered {
	kind: "answered" | "upgraded";
	status: number;
	headers: IncomingHttpHeaders;
	body: string;
	socket?: Duplex;
}

/** Sends a request with `Connection: Upgrade`; resolves with the answer, or with the socket once switched (101). */
function upgradeRequest(port: number, path: string, headers: Record<string, string> = {}): Promise<Answered> {
	return new Promise((resolve, reject) => {
		const request = httpRequest(
			{ host: "127.0.0.1", port, path, headers: { connection: "Upgrade", upgrade: "test-protocol", ...headers } },
			(response) => {
				let body = "";
				response.setEncoding("utf8");
				response.on("data", (chunk: string) => {
					body += chunk;
				});
				response.on("end", () =>
					resolve({ kind: "answered", status: response.statusCode ?? 0, headers: response.headers, body }),
				);
			},
		);
		request.on("upgrade", (response, socket) =>
			resolve({ kind: "upgraded", status: response.statusCode ?? 0, headers: response.headers, body: "", socket }),
		);
		request.on("error", reject);
		request.end();
	});
}

/** Switches protocols and keeps the socket: what a WebSocket library does. */
function holdingHandler(): UpgradeHandler & { held: Duplex[]; closes: number; seen: UpgradeRequest[] } {
	const handler = {
		held: [] as Duplex[],
		closes: 0,
		seen: [] as UpgradeRequest[],
		upgrade(request: UpgradeRequest, socket: Duplex) {
			handler.seen.push(request);
			handler.held.push(socket);
			socket.write("HTTP/1.1 101 Switching Protocols\r\nconnection: Upgrade\r\nupgrade: test-protocol\r\n\r\n");
		},
		close() {
			handler.closes++;
			for (const socket of handler.held) socket.end();
		},
	};
	return handler;
}

describe("app.onUpgrade", () => {
	it("hands an upgrade to its path to the handler, with the request's query, cookies and id", async () => {
		const handler = holdingHandler();
		const { port } = await serve((app) => app.onUpgrade("/live", handler));
		const answered = await upgradeRequest(port, "/live?room=7", { cookie: "session=abc", "x-request-id": "req-1" });
		expect(answered.status).toBe(101);
		const [seen] = handler.seen;
		expect(seen?.path).toBe("/live");
		expect(seen?.query).toEqual({ room: "7" });
		expect(seen?.cookies).toEqual({ session: "abc" });
		expect(seen?.id).toBe("req-1");
		expect(seen?.raw.headers.upgrade).toBe("test-protocol");
		answered.socket?.destroy();
	});

	it("serves a request to the same path without an Upgrade header through its declared route", async () => {
		const { port } = await serve((app) => {
			app.onUpgrade("/live", holdingHandler());
			app
				.declareRoute("GET", "/live")
				.handler((_floor, response) => unchecked(response).code(426).info("upgrade.required").send({ ok: false }));
		});
		const response = await fetch(`http://127.0.0.1:${port}/live`);
		expect(response.status).toBe(426);
		expect(response.headers.get("info")).toBe("upgrade.required");
	});

	it("serves an upgrade request to a path without a handler as an ordinary request (curl's h2c)", async () => {
		const { port } = await serve((app) => {
			app.onUpgrade("/live", holdingHandler());
			app
				.declareRoute("GET", "/other")
				.handler((_floor, response) => unchecked(response).code(200).info("other.found").send({ ok: true }));
		});
		const answered = await upgradeRequest(port, "/other", { upgrade: "h2c" });
		expect(answered).toMatchObject({ kind: "answered", status: 200, body: '{"ok":true}' });
	});

	it("answers 500 INTERNAL_SERVER_ERROR on the socket when the handler throws", async () => {
		const { port } = await serve((app) =>
			app.onUpgrade("/live", {
				upgrade: async () => {
					throw new Error("boom");
				},
				close: () => {},
			}),
		);
		const answered = await upgradeRequest(port, "/live");
		expect(answered.status).toBe(500);
		expect(answered.headers.info).toBe("INTERNAL_SERVER_ERROR");
	});

	it("refuses to register once the app is listening", async () => {
		const { app } = await serve(() => {});
		expect(() => app.onUpgrade("/late", holdingHandler())).toThrow(DeclarationError);
	});

	it("tells handlers to close at shutdown, so that close() does not wait for the sockets they hold", async () => {
		const handler = holdingHandler();
		const { app, port } = await serve((app) => app.onUpgrade("/live", handler), { shutdownTimeout: 5_000 });
		const answered = await upgradeRequest(port, "/live");
		answered.socket?.on("end", () => answered.socket?.end());
		const started = performance.now();
		await app.close();
		expect(handler.closes).toBe(1);
		expect(performance.now() - started).toBeLessThan(1_000);
	});

	it("cuts the upgraded sockets still open at the shutdown deadline", async () => {
		const stubborn = { ...holdingHandler(), close: () => {} };
		const { app, port } = await serve((app) => app.onUpgrade("/live", stubborn), { shutdownTimeout: 300 });
		const answered = await upgradeRequest(port, "/live");
		const ended = new Promise((resolve) => answered.socket?.once("close", resolve));
		await app.close();
		await ended;
		expect(stubborn.held[0]?.destroyed).toBe(true);
	});
});

describe("writeUpgradeAnswer", () => {
	it("writes a JSON answer with its info, x-request-id and headers, and closes the socket", async () => {
		const { port } = await serve((app) =>
			app.onUpgrade("/live", {
				upgrade: (request, socket) =>
					writeUpgradeAnswer(
						socket,
						{
							status: 401,
							info: "session.missing",
							body: { error: "session.missing", message: "Authentication is required." },
							headers: { "www-authenticate": "Bearer" },
						},
						request.id,
					),
				close: () => {},
			}),
		);
		const answered = await upgradeRequest(port, "/live", { "x-request-id": "req-2" });
		expect(answered.status).toBe(401);
		expect(answered.headers).toMatchObject({
			info: "session.missing",
			"x-request-id": "req-2",
			"www-authenticate": "Bearer",
			connection: "close",
		});
		expect(answered.headers["content-type"]).toMatch(/^application\/json/);
		expect(JSON.parse(answered.body)).toEqual({ error: "session.missing", message: "Authentication is required." });
	});
});
