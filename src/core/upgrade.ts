// Upgrade requests (`Connection: Upgrade`, e.g. WebSocket): the app hands the socket of one sent to a registered path to
// that path's handler, which answers on it or takes it over; plain HTTP answers written on such a socket; and the
// handlers told to close what they hold when the app shuts down.
import { type IncomingMessage, STATUS_CODES } from "node:http";
import type { Duplex } from "node:stream";
import type { Logger } from "pino";
import { FrameworkInfo } from "./errors.js";
import { Request } from "./request.js";

/** The request of an upgrade: the framework's view of it (query, cookies, logger, id), over Node's message. */
export type UpgradeRequest = Request & { readonly raw: IncomingMessage };

export interface UpgradeHandler {
	/**
	 * Takes the socket over: answers on it (`writeUpgradeAnswer`) or hands it to a protocol library. `head` is what the
	 * client sent after the request's head (the protocol's first bytes). Whatever it throws is logged and answered 500.
	 */
	upgrade(request: UpgradeRequest, socket: Duplex, head: Buffer): void | Promise<void>;
	/** Shutdown: end every connection it holds, now, and refuse upgrades that still arrive. */
	close(): void;
}

/** An answer written straight on an upgrade's socket, which is then closed. */
export interface UpgradeAnswer {
	status: number;
	/** The `info` header, as every answer of the app carries. */
	info: string;
	/** Sent as JSON. */
	body: unknown;
	headers?: Record<string, string>;
}

/**
 * Writes a complete HTTP/1.1 answer on a socket no `ServerResponse` serves (an upgrade not taken up), then closes it
 * once the bytes are out. `requestId` is echoed in `x-request-id`, like every answer of the app.
 */
export function writeUpgradeAnswer(socket: Duplex, answer: UpgradeAnswer, requestId?: string): void {
	if (socket.destroyed || !socket.writable) return;
	const body = JSON.stringify(answer.body);
	const headers: Record<string, string> = {
		"content-type": "application/json; charset=utf-8",
		"content-length": String(Buffer.byteLength(body)),
		connection: "close",
		info: answer.info,
		...(requestId === undefined ? {} : { "x-request-id": requestId }),
		...answer.headers,
	};
	let head = `HTTP/1.1 ${answer.status} ${STATUS_CODES[answer.status] ?? ""}\r\n`;
	for (const [name, value] of Object.entries(headers)) head += `${name}: ${value.replace(/[\r\n]/g, " ")}\r\n`;
	socket.once("finish", () => socket.destroy());
	socket.end(`${head}\r\n${body}`);
}

/** The upgrade handlers of one app, by path. */
export class UpgradeRegistry {
	readonly #handlers = new Map<string, UpgradeHandler>();

	constructor(
		private readonly logger: Logger,
		private readonly trustProxy: number,
	) {}

	get size(): number {
		return this.#handlers.size;
	}

	add(path: string, handler: UpgradeHandler): void {
		this.#handlers.set(path, handler);
	}

	/** Whether an upgrade request goes to a handler: Node serves the others as ordinary requests (`shouldUpgradeCallback`). */
	accepts(request: IncomingMessage): boolean {
		return this.#handlers.has(pathOf(request.url ?? "/"));
	}

	dispatch(raw: IncomingMessage, socket: Duplex, head: Buffer): void {
		const url = raw.url ?? "/";
		const path = pathOf(url);
		const mark = url.indexOf("?");
		const handler = this.#handlers.get(path);
		const request = new Request(
			raw,
			path,
			mark === -1 ? "" : url.slice(mark + 1),
			handler === undefined ? "" : path,
			{},
			this.logger,
			performance.now(),
			this.trustProxy,
		) as UpgradeRequest;
		// A client that goes away mid-answer makes the socket emit errors nobody else listens to.
		socket.on("error", (error) => request.logger.debug({ err: error }, "upgrade socket error"));
		if (handler === undefined) {
			// Only on a Node without `shouldUpgradeCallback`, which sends every upgrade here.
			writeUpgradeAnswer(
				socket,
				{
					status: 404,
					info: FrameworkInfo.notFound,
					body: { error: FrameworkInfo.notFound, message: `No upgrade for ${path}.` },
				},
				request.id,
			);
			return;
		}
		const failed = (error: unknown) => {
			request.logger.error({ err: error }, "upgrade handler failed");
			writeUpgradeAnswer(
				socket,
				{
					status: 500,
					info: FrameworkInfo.internalServerError,
					body: { error: FrameworkInfo.internalServerError, message: "Internal server error." },
				},
				request.id,
			);
		};
		try {
			const done = handler.upgrade(request, socket, head);
			if (done instanceof Promise) done.catch(failed);
		} catch (error) {
			failed(error);
		}
	}

	/** Tells every handler to close what it holds (shutdown). */
	closeAll(): void {
		for (const handler of this.#handlers.values()) {
			try {
				handler.close();
			} catch (error) {
				this.logger.error({ err: error }, "upgrade handler failed to close");
			}
		}
	}
}

function pathOf(url: string): string {
	const mark = url.indexOf("?");
	return mark === -1 ? url : url.slice(0, mark);
}
