// Server-sent events as an answer: a handler opens a `text/event-stream` that outlives the pipeline, with heartbeats,
// a reconnection hint, a cap on what a client that does not read may leave buffered, and closing at shutdown.
import type { OutgoingHttpHeaders, ServerResponse } from "node:http";
import type { z } from "zod";
import { IHaveSentThis } from "./contracts.js";
import { DeclarationError } from "./errors.js";
import type { Request } from "./request.js";
import type { Response, ResponseSink } from "./response.js";

export interface EventStreamOptions {
	/** The `retry:` hint: how long a browser waits before reconnecting, in milliseconds. Default 3 s. */
	retryMs?: number;
	/** A comment line this often keeps proxies and load balancers from closing an idle stream. Default 15 s; 0: none. */
	heartbeatMs?: number;
	/**
	 * A client that leaves more than this unread (beyond what the kernel's socket buffers took) is dropped, reason
	 * `slow-consumer`. Default 1 MiB.
	 */
	maxBufferedBytes?: number;
}

/** Why a stream ended: the client left, the server closed it, it fell behind, or the app is shutting down. */
export type EventStreamCloseReason = "client-closed" | "server-closed" | "slow-consumer" | "shutdown" | string;

/** One event on the wire. `data` that is not a string is sent as JSON. */
export interface ServerSentEvent {
	id?: string | number;
	event?: string;
	data: unknown;
}

const lineBreak = /\r\n|\r|\n/;

/** A stream's lines for one event: `data` spread over as many `data:` lines as it has lines. */
export function formatServerSentEvent(event: ServerSentEvent): string {
	let text = "";
	if (event.id !== undefined) text += `id: ${singleLine(String(event.id), "id")}\n`;
	if (event.event !== undefined) text += `event: ${singleLine(event.event, "event")}\n`;
	const data = typeof event.data === "string" ? event.data : JSON.stringify(event.data);
	for (const line of data.split(lineBreak)) text += `data: ${line}\n`;
	return `${text}\n`;
}

function singleLine(value: string, field: string): string {
	if (lineBreak.test(value)) throw new TypeError(`an event's ${field} cannot span lines`);
	return value;
}

/** An open event stream, handed to the handler's `onOpen`. Writes after it closed are ignored. */
export class EventStream {
	#closed = false;
	#recheckPending = false;
	#reason: EventStreamCloseReason | undefined;
	readonly #listeners: ((reason: EventStreamCloseReason) => void)[] = [];
	readonly #heartbeat: NodeJS.Timeout | undefined;

	constructor(
		private readonly sink: ResponseSink,
		private readonly maxBufferedBytes: number,
		heartbeatMs: number,
		private readonly registry: EventStreamRegistry | undefined,
	) {
		// Stryker disable next-line BooleanLiteral: a sink that emitted close is destroyed, so end() skips sink.end() either way
		sink.once("close", () => this.end("client-closed", false));
		if (heartbeatMs > 0) {
			this.#heartbeat = setInterval(() => this.write(": heartbeat\n\n"), heartbeatMs);
			this.#heartbeat.unref();
		}
		registry?.add(this);
	}

	get closed(): boolean {
		return this.#closed;
	}

	/** Why it closed; undefined while open. */
	get closeReason(): EventStreamCloseReason | undefined {
		return this.#reason;
	}

	/** Bytes written but not yet taken by the client's socket. */
	get bufferedBytes(): number {
		return this.sink.writableLength;
	}

	/** Sends one event; false when the stream is closed (or just got closed for falling behind). */
	send(event: ServerSentEvent): boolean {
		return this.write(formatServerSentEvent(event));
	}

	/** A comment line (`: text`), which clients ignore. */
	comment(text: string): boolean {
		return this.write(`: ${text.replace(/\r\n|\r|\n/g, " ")}\n\n`);
	}

	/** Calls `listener` once the stream closes, whoever closed it; at once if it already has. */
	onClose(listener: (reason: EventStreamCloseReason) => void): void {
		if (this.#closed) listener(this.#reason as EventStreamCloseReason);
		else this.#listeners.push(listener);
	}

	/** Ends the stream (the client may reconnect after the `retry:` delay). */
	close(reason: EventStreamCloseReason = "server-closed"): void {
		this.end(reason, true);
	}

	private write(text: string): boolean {
		if (this.#closed) return false;
		this.sink.write(text);
		// Node holds whatever the socket has not taken yet. Writes of one tick all count until the socket takes them, so
		// a burst to a client that reads fine can pass the cap for a moment: the cap is checked again once pending
		// writes had their turn (setImmediate runs after the I/O poll), and only a client still over it is dropped.
		// Four times the cap is too much to hold even for a moment. Holding more would let a client that does not read
		// grow the process's memory without bound.
		const buffered = this.sink.writableLength;
		if (buffered > this.maxBufferedBytes * 4) return this.dropSlowConsumer();
		if (buffered > this.maxBufferedBytes && !this.#recheckPending) {
			this.#recheckPending = true;
			setImmediate(() => {
				this.#recheckPending = false;
				if (!this.#closed && this.sink.writableLength > this.maxBufferedBytes) this.dropSlowConsumer();
			});
		}
		return true;
	}

	private dropSlowConsumer(): false {
		this.end("slow-consumer", false);
		this.sink.destroy();
		return false;
	}

	private end(reason: EventStreamCloseReason, endResponse: boolean): void {
		if (this.#closed) return;
		this.#closed = true;
		this.#reason = reason;
		clearInterval(this.#heartbeat);
		this.registry?.delete(this);
		if (endResponse && !this.sink.destroyed) this.sink.end();
		for (const listener of this.#listeners.splice(0)) listener(reason);
	}
}

/** The open streams of one app, so that shutdown can close them instead of waiting for their clients. */
export class EventStreamRegistry {
	readonly #open = new Set<EventStream>();
	#closing = false;

	/** Set by `closeAll`: a stream opened afterwards (a request that was in flight) is closed as soon as it opens. */
	get closing(): boolean {
		return this.#closing;
	}

	get size(): number {
		return this.#open.size;
	}

	add(stream: EventStream): void {
		this.#open.add(stream);
	}

	delete(stream: EventStream): void {
		this.#open.delete(stream);
	}

	closeAll(reason: EventStreamCloseReason = "shutdown"): void {
		this.#closing = true;
		for (const stream of [...this.#open]) stream.close(reason);
	}
}

/** What a handler answers with (through `EventStreamAnswer#respond`): the stream's options and what to do once open. */
export class EventStreamBody {
	constructor(
		readonly options: EventStreamOptions,
		readonly onOpen: (stream: EventStream) => void,
	) {}
}

/**
 * A declared event-stream answer: `eventStream(200, "events.stream", { events: envelopeSchema })`. It documents
 * `text/event-stream` (with the schema of one event's data) and is what the handler opens:
 * `return stream.respond(response, { heartbeatMs }, (events) => …)`.
 */
export class EventStreamAnswer<Code extends number = number, Info extends string = string> extends IHaveSentThis<
	Code,
	Info,
	undefined
> {
	readonly info: Info;
	readonly mediaType = "text/event-stream";

	constructor(
		code: Code,
		info: Info,
		/** The data of one event, for the documentation (events are not checked against it). */
		readonly eventSchema: z.ZodType | undefined,
	) {
		super(code, info);
		this.info = info;
	}

	/** Opens the stream once the pipeline has run; `onOpen` receives it after the headers and the `retry:` hint are sent. */
	respond<R extends Response<EventStreamAnswer<Code, Info>>>(
		response: R,
		options: EventStreamOptions,
		onOpen: (stream: EventStream) => void,
	): R {
		(response as unknown as Response).code(this.code).info(this.info).respond(new EventStreamBody(options, onOpen));
		return response;
	}
}

export function eventStream<const Code extends number, const Info extends string>(
	code: Code,
	info: Info,
	options: { events?: z.ZodType } = {},
): EventStreamAnswer<Code, Info> {
	if (code < 200 || code > 299)
		throw new DeclarationError(`eventStream(${code}, "${info}"): an event stream is a 2xx answer.`);
	if (typeof info !== "string" || info === "")
		throw new DeclarationError(`eventStream(${code}): the info must be a non-empty string.`);
	return new EventStreamAnswer(code, info, options.events);
}

/** Writes the stream's head and hint, then hands the stream to the handler's `onOpen`. */
export function openEventStream(
	request: Request,
	response: Response,
	headers: OutgoingHttpHeaders,
	body: EventStreamBody,
	registry: EventStreamRegistry | undefined,
): void {
	const sink = response.raw;
	// The socket goes with the stream: said before the head, so Node closes it when the stream ends (a kept-alive socket
	// after a long stream is rarely reused, and would linger until the keep-alive timeout).
	(sink as Partial<ServerResponse>).shouldKeepAlive = false;
	headers["content-type"] = "text/event-stream; charset=utf-8";
	headers["cache-control"] = "no-cache, no-transform";
	// Reverse proxies such as nginx buffer answers unless told not to, which would hold events back.
	headers["x-accel-buffering"] = "no";
	sink.writeHead(response.statusCode, headers);
	if (request.method === "HEAD") {
		sink.end();
		return;
	}
	const { retryMs = 3_000, heartbeatMs = 15_000, maxBufferedBytes = 1_048_576 } = body.options;
	// The head goes out at once: a client waits for it before it reports the stream open.
	(sink as Partial<ServerResponse>).flushHeaders?.();
	const stream = new EventStream(sink, maxBufferedBytes, heartbeatMs, registry);
	sink.write(`retry: ${Math.max(0, Math.round(retryMs))}\n\n`);
	body.onOpen(stream);
	if (registry?.closing === true) stream.close("shutdown");
}
