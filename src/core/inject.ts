// In-process requests for tests: the same executor as a real request, with a collector instead of a socket.
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from "node:http";
import { Writable } from "node:stream";
import { serialize as serializeCookie } from "cookie";
import type { RawRequest } from "./request.js";
import type { ResponseSink } from "./response.js";

export interface InjectRequest {
	method?: string;
	/** Path and query string, e.g. `/users/1?full=true`. */
	url: string;
	headers?: Record<string, string | string[] | undefined>;
	cookies?: Record<string, string>;
	/** Objects are sent as JSON, strings as text/plain, Buffers as they are (set a content-type). */
	body?: unknown;
	/** Query values appended to the URL. */
	query?: Record<string, string | number | boolean | readonly (string | number)[] | undefined>;
	remoteAddress?: string;
}

export interface InjectResponse {
	statusCode: number;
	headers: OutgoingHttpHeaders;
	/** The `info` header. */
	info: string | undefined;
	body: string;
	rawBody: Buffer;
	json<T = any>(): T;
}

/** Collects what the executor writes, as a socket-less `ServerResponse`. */
export class InjectSink extends Writable implements ResponseSink {
	statusCode = 0;
	headers: OutgoingHttpHeaders = {};
	headersSent = false;
	private readonly chunks: Buffer[] = [];

	writeHead(statusCode: number, headers: OutgoingHttpHeaders): this {
		if (this.headersSent) throw new Error("Headers were already sent.");
		this.statusCode = statusCode;
		for (const name in headers) this.headers[name.toLowerCase()] = headers[name];
		this.headersSent = true;
		return this;
	}

	override _write(chunk: Buffer | string, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
		this.chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : chunk);
		callback();
	}

	collected(): Buffer {
		return Buffer.concat(this.chunks);
	}
}

function buildUrl(url: string, query: InjectRequest["query"]): string {
	if (query === undefined) return url;
	const search = new URLSearchParams();
	for (const [key, value] of Object.entries(query)) {
		if (value === undefined) continue;
		if (Array.isArray(value)) for (const item of value) search.append(key, String(item));
		else search.append(key, String(value));
	}
	const text = search.toString();
	if (text === "") return url;
	return `${url}${url.includes("?") ? "&" : "?"}${text}`;
}

/** Builds the raw request `app.inject` hands to the executor. */
export function buildInjectedRequest(options: InjectRequest): RawRequest {
	const headers: IncomingHttpHeaders = {};
	for (const [name, value] of Object.entries(options.headers ?? {})) {
		if (value !== undefined) (headers as Record<string, string | string[]>)[name.toLowerCase()] = value;
	}
	if (options.cookies !== undefined) {
		const cookies = Object.entries(options.cookies).map(([name, value]) => serializeCookie(name, value));
		headers.cookie = [headers.cookie, ...cookies].filter(Boolean).join("; ");
	}
	// Always a payload, even empty: an injected request has no stream to read from.
	let payload: Buffer = Buffer.alloc(0);
	const body = options.body;
	if (body !== undefined) {
		if (Buffer.isBuffer(body)) {
			payload = body;
		} else if (typeof body === "string") {
			payload = Buffer.from(body);
			headers["content-type"] ??= "text/plain; charset=utf-8";
		} else {
			payload = Buffer.from(JSON.stringify(body));
			headers["content-type"] ??= "application/json";
		}
		headers["content-length"] = String(payload.length);
	}
	return {
		method: (options.method ?? "GET").toUpperCase(),
		url: buildUrl(options.url, options.query),
		headers,
		socket: { remoteAddress: options.remoteAddress ?? "127.0.0.1" },
		payload,
	};
}

/** Waits for the executor to finish writing, then reads what it wrote. */
export function collectResponse(sink: InjectSink): Promise<InjectResponse> {
	return new Promise((resolve, reject) => {
		const done = () => {
			const rawBody = sink.collected();
			const body = rawBody.toString("utf8");
			const info = sink.headers.info;
			resolve({
				statusCode: sink.statusCode,
				headers: sink.headers,
				info: typeof info === "string" ? info : undefined,
				body,
				rawBody,
				json: () => JSON.parse(body),
			});
		};
		if (sink.writableFinished) done();
		else {
			sink.once("finish", done);
			sink.once("error", reject);
			sink.once("close", () => {
				if (!sink.writableFinished) reject(new Error("The response was destroyed before it finished."));
			});
		}
	});
}
