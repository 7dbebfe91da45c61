// Reads and discards what is left of a request body after an answer sent before it was read, so the answer reaches the client.
import type { IncomingMessage } from "node:http";
import type { RawRequest } from "./request.js";

/*
 * Why: an answer sent before the body was read (413 on a declared length, 401 from a process that runs
 * before the body is extracted) leaves the client still uploading. Closing the socket then makes the
 * kernel reset the connection (unread data was pending), and the reset can reach the client before it
 * has read the answer: it sees EPIPE or ECONNRESET instead of the 413. So the rest of the body is read
 * and thrown away; once it has all arrived the connection is a clean keep-alive one again. Reading is
 * bounded in bytes and time, so a client cannot make us read forever: past either bound the connection
 * is cut (by then the answer has long been written).
 */

export interface UnreadBodyLimits {
	/** Most bytes read and discarded after the answer. */
	maxBytes: number;
	/** Longest time spent reading them, in milliseconds. */
	maxMs: number;
}

export const defaultUnreadBodyLimits: UnreadBodyLimits = { maxBytes: 16 * 1_048_576, maxMs: 5_000 };

/**
 * True for a request from a socket that announced a body nobody read to its end (and nobody is reading).
 * A bodiless request is not complete yet while its own route runs synchronously, hence the header test.
 */
export function hasUnreadBody(raw: RawRequest): raw is IncomingMessage {
	const message = raw as Partial<IncomingMessage>;
	if (message.complete !== false || message.readableFlowing === true) return false;
	const length = raw.headers["content-length"];
	return (length !== undefined && length !== "0") || raw.headers["transfer-encoding"] !== undefined;
}

/**
 * Discards the rest of the body as it arrives; past `limits` it stops. On a kept-alive connection the
 * answer goes out at once and the connection is destroyed past the bounds. When the connection closes
 * after the answer (the client sent `Connection: close`, or the app is shutting down), Node closes the
 * socket as soon as the answer is written, which would reset a connection with unread data: then the
 * returned promise holds the answer back until the body is read (or the bounds are reached).
 */
export function discardUnreadBody(
	message: IncomingMessage,
	keepAlive: boolean,
	limits: UnreadBodyLimits,
): Promise<void> | undefined {
	let received = 0;
	let settle: () => void = () => undefined;
	const waiting = keepAlive ? undefined : new Promise<void>((resolve) => (settle = resolve));
	const stop = () => {
		clearTimeout(timer);
		message.off("data", count);
		settle();
	};
	const cut = () => {
		stop();
		// Held back: the answer is still to be written, Node closes the socket after it.
		if (keepAlive) message.socket?.destroy();
	};
	const count = (chunk: Buffer) => {
		received += chunk.length;
		if (received > limits.maxBytes) cut();
	};
	const timer = setTimeout(cut, limits.maxMs);
	timer.unref();
	message.on("data", count);
	message.once("end", stop);
	message.once("close", stop);
	// A client that goes away mid-upload: nothing left to do (the body reader may have its own listener).
	if (message.listenerCount("error") === 0) message.on("error", stop);
	message.resume();
	return waiting;
}
