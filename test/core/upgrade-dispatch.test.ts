// Specification of what the upgrade registry does with one upgrade, on a socket of its own: the exact bytes of an
// answer written on it, the request a handler gets (path, query, matched path, client address), the 404 for a path with
// no handler, the 500 for a handler that fails, and shutdown telling every handler to close.
import { IncomingMessage } from "node:http";
import { Socket } from "node:net";
import { PassThrough, Writable } from "node:stream";
import pino from "pino";
import { describe, expect, it } from "vitest";
import { type UpgradeRequest, writeUpgradeAnswer } from "../../src/core/index.js";
import { UpgradeRegistry } from "../../src/core/upgrade.js";

/** A duplex that keeps what is written on it; ends (and is destroyed) like a socket. */
function socketOf() {
	const socket = new PassThrough();
	let written = "";
	socket.on("data", (chunk: Buffer) => {
		written += chunk.toString("utf8");
	});
	return { socket, written: () => written };
}

/** A pino logger whose lines are kept, as the app's logger writes them. */
function logger() {
	const lines: Record<string, unknown>[] = [];
	const destination = new Writable({
		write(chunk, _encoding, done) {
			lines.push(JSON.parse(String(chunk)));
			done();
		},
	});
	return { log: pino({ level: "debug" }, destination), lines };
}

function incoming(url: string | undefined, headers: Record<string, string> = {}) {
	const message = new IncomingMessage(new Socket());
	message.method = "GET";
	// Node leaves url empty on a message it did not parse; a message with none at all stands for "/".
	(message as { url?: string }).url = url;
	message.headers = { connection: "upgrade", upgrade: "test", ...headers };
	return message;
}

const finished = (socket: PassThrough) =>
	new Promise<void>((resolve) => {
		if (socket.destroyed) resolve();
		else socket.once("close", () => resolve());
	});

describe("writeUpgradeAnswer", () => {
	it("writes the status line, the JSON headers, the answer's own headers, then the body, and closes", async () => {
		const { socket, written } = socketOf();
		writeUpgradeAnswer(
			socket,
			{ status: 403, info: "live.denied", body: { message: "Non." }, headers: { "retry-after": "5" } },
			"req-1",
		);
		await finished(socket);
		const body = JSON.stringify({ message: "Non." });
		expect(written()).toBe(
			"HTTP/1.1 403 Forbidden\r\n" +
				"content-type: application/json; charset=utf-8\r\n" +
				`content-length: ${body.length}\r\n` +
				"connection: close\r\n" +
				"info: live.denied\r\n" +
				"x-request-id: req-1\r\n" +
				"retry-after: 5\r\n" +
				`\r\n${body}`,
		);
		expect(socket.destroyed).toBe(true);
	});

	it("counts the body's length in bytes, leaves out x-request-id with no id, and a status Node cannot name", async () => {
		const { socket, written } = socketOf();
		writeUpgradeAnswer(socket, { status: 599, info: "odd", body: "é" });
		await finished(socket);
		expect(written()).toBe(
			"HTTP/1.1 599 \r\n" +
				"content-type: application/json; charset=utf-8\r\n" +
				"content-length: 4\r\n" +
				"connection: close\r\n" +
				"info: odd\r\n" +
				'\r\n"é"',
		);
	});

	it("turns line breaks in a header value into spaces, so that no header can be forged", async () => {
		const { socket, written } = socketOf();
		writeUpgradeAnswer(socket, { status: 400, info: "a\r\nset-cookie: x=1", body: null, headers: { note: "b\nc\rd" } });
		await finished(socket);
		expect(written()).toContain("info: a  set-cookie: x=1\r\n");
		expect(written()).toContain("note: b c d\r\n");
		expect(written()).not.toContain("\r\nset-cookie");
	});

	it("lets the answer's headers replace the ones it sets", async () => {
		const { socket, written } = socketOf();
		writeUpgradeAnswer(socket, { status: 200, info: "x", body: 1, headers: { connection: "keep-alive" } }, "r");
		await finished(socket);
		expect(written()).toContain("connection: keep-alive\r\n");
		expect(written()).not.toContain("connection: close");
	});

	it("writes nothing on a socket destroyed or no longer writable", () => {
		const destroyed = socketOf();
		destroyed.socket.destroy();
		writeUpgradeAnswer(destroyed.socket, { status: 400, info: "x", body: 1 });
		expect(destroyed.written()).toBe("");
		const ended = socketOf();
		ended.socket.end();
		expect(() => writeUpgradeAnswer(ended.socket, { status: 400, info: "x", body: 1 })).not.toThrow();
		expect(ended.written()).toBe("");
	});
});

describe("the upgrade registry", () => {
	it("counts its handlers and accepts an upgrade to one of their paths, whatever its query", () => {
		const registry = new UpgradeRegistry(logger().log, 0);
		expect(registry.size).toBe(0);
		registry.add("/live", { upgrade: () => {}, close: () => {} });
		registry.add("/", { upgrade: () => {}, close: () => {} });
		expect(registry.size).toBe(2);
		expect(registry.accepts(incoming("/live"))).toBe(true);
		expect(registry.accepts(incoming("/live?token=1"))).toBe(true);
		expect(registry.accepts(incoming("/live/x"))).toBe(false);
		expect(registry.accepts(incoming("/other?/live"))).toBe(false);
		expect(registry.accepts(incoming(undefined))).toBe(true);
	});

	it("gives the handler the request's path, query, matched path, client address, and the head", () => {
		const registry = new UpgradeRegistry(logger().log, 1);
		const seen: { request: UpgradeRequest; head: Buffer }[] = [];
		registry.add("/live", { upgrade: (request, _socket, head) => void seen.push({ request, head }), close: () => {} });
		const head = Buffer.from("first bytes");
		registry.dispatch(
			incoming("/live?room=a&room=b&x=1", { "x-forwarded-for": "203.0.113.9", "x-request-id": "up-1" }),
			socketOf().socket,
			head,
		);
		expect(seen).toHaveLength(1);
		const [{ request, head: given }] = seen as [{ request: UpgradeRequest; head: Buffer }];
		expect(request.path).toBe("/live");
		expect(request.matchedPath).toBe("/live");
		expect(request.query).toEqual({ room: ["a", "b"], x: "1" });
		expect(request.id).toBe("up-1");
		expect(request.ip).toBe("203.0.113.9");
		expect(given).toBe(head);
	});

	it("gives an empty query to an upgrade without one", () => {
		const registry = new UpgradeRegistry(logger().log, 0);
		const seen: UpgradeRequest[] = [];
		registry.add("/live", { upgrade: (request) => void seen.push(request), close: () => {} });
		registry.dispatch(incoming("/live"), socketOf().socket, Buffer.alloc(0));
		expect(seen[0]?.query).toEqual({});
	});

	it("answers 404 NOT_FOUND on the socket to an upgrade to a path with no handler", async () => {
		const registry = new UpgradeRegistry(logger().log, 0);
		const { socket, written } = socketOf();
		registry.dispatch(incoming("/nowhere?x=1", { "x-request-id": "up-2" }), socket, Buffer.alloc(0));
		await finished(socket);
		expect(written()).toMatch(/^HTTP\/1\.1 404 Not Found\r\n/);
		expect(written()).toContain("info: NOT_FOUND\r\n");
		expect(written()).toContain("x-request-id: up-2\r\n");
		expect(written().split("\r\n\r\n")[1]).toBe(
			JSON.stringify({ error: "NOT_FOUND", message: "No upgrade for /nowhere." }),
		);
	});

	it("answers 500 and logs the error when the handler throws, or its promise rejects", async () => {
		for (const upgrade of [
			() => {
				throw new Error("broken");
			},
			() => Promise.reject(new Error("broken")),
		]) {
			const { log, lines } = logger();
			const registry = new UpgradeRegistry(log, 0);
			registry.add("/live", { upgrade, close: () => {} });
			const { socket, written } = socketOf();
			registry.dispatch(incoming("/live", { "x-request-id": "up-3" }), socket, Buffer.alloc(0));
			await finished(socket);
			expect(written()).toMatch(/^HTTP\/1\.1 500 Internal Server Error\r\n/);
			expect(written()).toContain("info: INTERNAL_SERVER_ERROR\r\n");
			expect(written()).toContain("x-request-id: up-3\r\n");
			expect(written().split("\r\n\r\n")[1]).toBe(
				JSON.stringify({ error: "INTERNAL_SERVER_ERROR", message: "Internal server error." }),
			);
			expect(lines).toContainEqual(
				expect.objectContaining({ msg: "upgrade handler failed", err: expect.objectContaining({ message: "broken" }) }),
			);
		}
	});

	it("leaves the socket to a handler that took it", async () => {
		const registry = new UpgradeRegistry(logger().log, 0);
		registry.add("/live", { upgrade: async () => {}, close: () => {} });
		const { socket, written } = socketOf();
		registry.dispatch(incoming("/live"), socket, Buffer.alloc(0));
		await new Promise((resolve) => setImmediate(resolve));
		expect(written()).toBe("");
		expect(socket.destroyed).toBe(false);
	});

	it("logs a socket error at debug, rather than let it go unheard", () => {
		const { log, lines } = logger();
		const registry = new UpgradeRegistry(log, 0);
		registry.add("/live", { upgrade: () => {}, close: () => {} });
		const { socket } = socketOf();
		registry.dispatch(incoming("/live"), socket, Buffer.alloc(0));
		socket.emit("error", new Error("reset"));
		expect(lines).toContainEqual(expect.objectContaining({ level: 20, msg: "upgrade socket error" }));
	});

	it("tells every handler to close, even after one that throws, and logs that one", () => {
		const { log, lines } = logger();
		const registry = new UpgradeRegistry(log, 0);
		const closed: string[] = [];
		registry.add("/a", {
			upgrade: () => {},
			close: () => {
				closed.push("a");
				throw new Error("stuck");
			},
		});
		registry.add("/b", { upgrade: () => {}, close: () => void closed.push("b") });
		registry.closeAll();
		expect(closed).toEqual(["a", "b"]);
		expect(lines).toContainEqual(
			expect.objectContaining({ level: 50, msg: "upgrade handler failed to close", err: expect.anything() }),
		);
	});
});
