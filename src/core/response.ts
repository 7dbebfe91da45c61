// The response a step builds and sends; `send()` ends the pipeline at once by throwing the response itself.
import type { OutgoingHttpHeaders } from "node:http";
import type { Readable, Writable } from "node:stream";
import { serialize as serializeCookie, type SerializeOptions } from "cookie";
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

export class Response {
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

	code(statusCode: number): this {
		this.statusCode = statusCode;
		return this;
	}

	info(information: string): this {
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
	 * Sends the response and ends the pipeline at once: it throws the response itself, so nothing
	 * after this call runs, in the step or after it. Objects and arrays are sent as JSON, strings as
	 * text, Buffers as bytes.
	 */
	send(body?: unknown): never {
		if (this.isSent) throw new ResponseAlreadySentError(this.information);
		this.isSent = true;
		this.body = body;
		throw this;
	}

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
export function isResponseSignal(value: unknown): value is Response {
	return value instanceof Response;
}
