// A WebSocket client for tests (the real `ws` client): opens a socket over real HTTP, or reads the HTTP answer that
// refused it; collects the JSON messages (each checked against the protocol's schema) and waits for the ones asked for.
import type { IncomingHttpHeaders } from "node:http";
import { WebSocket } from "ws";
import { serverMessageSchema } from "../../src/realtime/ws-protocol.js";

/** A message or body as received: checked against the protocol's schema, then read by tests as they expect it. */
// biome-ignore lint/suspicious/noExplicitAny: tests read whatever payload they expect; matchers check its shape.
export type Received = any;

export interface Refused {
	kind: "refused";
	status: number;
	headers: IncomingHttpHeaders;
	body: Received;
}

export interface Closed {
	code: number;
	reason: string;
}

export interface TestSocket {
	kind: "open";
	readonly socket: WebSocket;
	/** Every message received so far, parsed, in order (the welcome first). */
	readonly messages: Received[];
	/** Received frames that are not valid protocol messages (should stay empty). */
	readonly strays: string[];
	/** Resolves with the first message (already received or to come) matching `accept`; rejects after `timeoutMs`. */
	next(accept?: (message: Received) => boolean, timeoutMs?: number): Promise<Received>;
	/** The events received (messages with an id), in order. */
	events(): Received[];
	send(message: unknown): void;
	/** Resolves with the close code and reason once the socket closed; rejects after `timeoutMs`. */
	closed(timeoutMs?: number): Promise<Closed>;
	close(): void;
}

export interface OpenOptions {
	headers?: Record<string, string>;
	/** False: the client does not answer ping frames (a dead peer). Default true. */
	autoPong?: boolean;
}

/** Opens `url` (`http://…` is fine); resolves once it is open, or with the answer that refused it. */
export function openWebSocket(url: string, options: OpenOptions = {}): Promise<TestSocket | Refused> {
	return new Promise((resolve, reject) => {
		const socket = new WebSocket(url.replace(/^http/, "ws"), {
			headers: options.headers ?? {},
			autoPong: options.autoPong ?? true,
		});
		const messages: Received[] = [];
		const strays: string[] = [];
		const waiters = new Set<() => void>();
		let closed: Closed | undefined;
		const wake = () => {
			for (const waiter of [...waiters]) waiter();
		};
		socket.on("message", (data, isBinary) => {
			const text = isBinary ? "<binary>" : data.toString();
			try {
				const json = JSON.parse(text);
				if (serverMessageSchema.safeParse(json).success) messages.push(json);
				else strays.push(text);
			} catch {
				strays.push(text);
			}
			wake();
		});
		socket.on("close", (code, reason) => {
			closed = { code, reason: reason.toString() };
			wake();
		});
		socket.on("unexpected-response", (_request, response) => {
			let raw = "";
			response.setEncoding("utf8");
			response.on("data", (chunk: string) => {
				raw += chunk;
			});
			response.on("end", () => {
				let body: unknown = raw;
				try {
					body = JSON.parse(raw);
				} catch {}
				resolve({ kind: "refused", status: response.statusCode ?? 0, headers: response.headers, body });
			});
		});
		socket.on("error", (error) => {
			if (socket.readyState === WebSocket.CONNECTING) reject(error);
		});
		socket.on("open", () => {
			resolve({
				kind: "open",
				socket,
				messages,
				strays,
				events: () => messages.filter((message) => typeof message.id === "number"),
				next(accept = () => true, timeoutMs = 5_000) {
					return waitFor(
						() => messages.find(accept),
						() => `no matching message within ${timeoutMs} ms; received: ${JSON.stringify(messages)}`,
						timeoutMs,
					);
				},
				send(message) {
					socket.send(typeof message === "string" ? message : JSON.stringify(message));
				},
				closed(timeoutMs = 5_000) {
					return waitFor(
						() => closed,
						() => `the socket was still open after ${timeoutMs} ms`,
						timeoutMs,
					);
				},
				close() {
					if (closed === undefined) socket.terminate();
				},
			});
		});
		function waitFor<T>(find: () => T | undefined, describe: () => string, timeoutMs: number): Promise<T> {
			const found = find();
			if (found !== undefined) return Promise.resolve(found);
			return new Promise<T>((done, fail) => {
				const check = () => {
					const value = find();
					if (value === undefined) return;
					clearTimeout(timer);
					waiters.delete(check);
					done(value);
				};
				const timer = setTimeout(() => {
					waiters.delete(check);
					fail(new Error(describe()));
				}, timeoutMs);
				waiters.add(check);
			});
		}
	});
}
