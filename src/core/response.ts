// The response a step builds and sends; `send()` ends the pipeline at once by throwing the response itself.
import type { OutgoingHttpHeaders } from "node:http";
import type { Readable, Writable } from "node:stream";
import { type SerializeOptions, serialize as serializeCookie } from "cookie";
import { ResponseAlreadySentError } from "./errors.js";

export type HeaderValue = string | number | readonly string[];

export type CookieOptions = SerializeOptions;

/** A file to stream from disk, sent by `response.sendFile()`. */
export class FileBody {
	constructor(
		public readonly path: string,
		public readonly contentType: string | undefined,
	) {}
}

/** A readable stream to pipe to the client, sent by `response.stream()`. */
export class StreamBody {
	constructor(
		public readonly readable: Readable,
		public readonly contentType: string | undefined,
	) {}
}

/** Where a response is written: a Node `ServerResponse`, or the collector of `app.inject`. */
export interface ResponseSink extends Writable {
	readonly headersSent: boolean;
	writeHead(statusCode: number, headers: OutgoingHttpHeaders): unknown;
}

/**
 * What `send()` throws to end the pipeline at once. One instance, made at load: V8 captures a stack
 * trace when anything but an Error with its stack already taken is thrown, which made every response
 * cost several microseconds more behind Node's HTTP parser. It carries nothing: the executor frame
 * that catches it knows its own response.
 */
export class ResponseSignal extends Error {
	override name = "ResponseSignal";
}

export const responseSignal = new ResponseSignal(
	"A response was sent: this is the signal send() throws to end the pipeline. Rethrow it from your own try/catch.",
);

/** Type-only key of the answers a response may send (no such property exists at run time). */
declare const allowedAnswers: unique symbol;

/** What a response may be allowed to send: any declared answer (its code and infos). */
export interface AllowedAnswer {
	readonly code: number;
	readonly infos: readonly string[];
}

/**
 * `Allowed` is the union of the answers the step holding this response declares: a declared answer's
 * `send()` takes only a response that allows it, and `code()`/`info()` take only declared codes and
 * infos, so a step that sends what it does not declare does not compile. `Response` (allowing
 * anything) is what hooks and error handlers get; the DEV/TEST contract check still covers them.
 */
export class Response<Allowed extends AllowedAnswer = AllowedAnswer> {
	/** Type-only (never set): contravariant in `Allowed`, so a response allowing more fits a step that sends less. */
	declare readonly [allowedAnswers]?: (answer: Allowed) => void;
	statusCode = 200;
	/** The `info` the client receives in the `info` header: a machine-readable outcome like `user.found`. */
	information: string | undefined = undefined;
	/** Headers set so far; names are lower-cased. */
	headerValues: Record<string, HeaderValue> = {};
	body: unknown = undefined;
	isSent = false;
	/** Index of the step that sent this response (used by the contract check); -1 for framework answers. */
	sentByStep = -1;

	constructor(
		/** The underlying Node response (or inject collector); write to it only for protocols like SSE. */
		readonly raw: ResponseSink,
	) {}

	code(statusCode: Allowed["code"]): this {
		this.statusCode = statusCode;
		return this;
	}

	info(information: Allowed["infos"][number]): this {
		this.information = information;
		return this;
	}

	header(name: string, value: HeaderValue): this {
		this.headerValues[name.toLowerCase()] = value;
		return this;
	}

	headers(values: Record<string, HeaderValue | undefined>): this {
		for (const name in values) {
			const value = values[name];
			if (value !== undefined) this.headerValues[name.toLowerCase()] = value;
		}
		return this;
	}

	setCookie(name: string, value: string, options: CookieOptions = {}): this {
		const cookie = serializeCookie(name, value, { path: "/", ...options });
		const current = this.headerValues["set-cookie"];
		if (current === undefined) this.headerValues["set-cookie"] = [cookie];
		else if (Array.isArray(current)) (current as string[]).push(cookie);
		else this.headerValues["set-cookie"] = [String(current), cookie];
		return this;
	}

	clearCookie(name: string, options: CookieOptions = {}): this {
		return this.setCookie(name, "", { ...options, expires: new Date(0), maxAge: 0 });
	}

	/**
	 * Sends the response and ends the pipeline at once: it throws `responseSignal`, so nothing
	 * after this call runs, in the step or after it. Objects and arrays are sent as JSON, strings as
	 * text, Buffers as bytes.
	 */
	send(body?: unknown): never {
		if (this.isSent) throw new ResponseAlreadySentError(this.information);
		this.isSent = true;
		this.body = body;
		throw responseSignal;
	}

	/**
	 * The handler's way to answer: prepares the response and returns it; it goes out when the handler
	 * returns it — `return response.code(200).info("user.found").respond(user)`. It does not throw, so
	 * it costs less than `send()` (a throw per request is expensive behind Node's HTTP parser), and it
	 * is safe by construction: nothing runs after a `return`. Only in handlers; the executor answers
	 * 500 when a handler calls it without returning its result.
	 */
	respond(body?: unknown): this {
		if (!this.inHandler)
			throw new Error("respond() answers from a handler: in extract, checks, cuts and processes use send().");
		if (this.isSent) throw new ResponseAlreadySentError(this.information);
		this.isSent = true;
		this.responded = true;
		this.body = body;
		return this;
	}

	/** Set by the executor while the handler runs (respond() is only valid there). */
	inHandler = false;
	/** Set by respond(): the handler must return this response. */
	responded = false;

	redirect(location: string, statusCode = 302): never {
		this.statusCode = statusCode;
		this.headerValues.location = location;
		return this.send();
	}

	sendFile(path: string, contentType?: string): never {
		return this.send(new FileBody(path, contentType));
	}

	stream(readable: Readable, contentType?: string): never {
		return this.send(new StreamBody(readable, contentType));
	}
}

/** True for the value `send()` throws; rethrow it when your own try/catch catches it. */
export function isResponseSignal(value: unknown): value is ResponseSignal {
	return value === responseSignal;
}
