// The request seen by hooks and steps: method, path, params, query, headers, cookies, body, id and logger.
import { randomBytes } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import { parse as parseQueryString } from "node:querystring";
import { parse as parseCookieHeader } from "cookie";
import type { Logger } from "pino";

/** What the framework needs from a Node request; `app.inject` builds one of these without a socket. */
export interface RawRequest {
	method?: string | undefined;
	url?: string | undefined;
	headers: IncomingHttpHeaders;
	socket?: { remoteAddress?: string | undefined } | null;
	/** Set by `app.inject`: the body bytes, instead of reading a stream. */
	payload?: Buffer | undefined;
}

const requestIdPattern = /^[\w.:-]{1,128}$/;

// Generated ids: a random prefix per process and a counter. Unique across restarts and instances
// without paying for a UUID per request.
const idPrefix = randomBytes(6).toString("base64url");
let idCounter = 0;

/** A fresh request id, e.g. `kX3f9Qa1-4c2`. */
export function nextRequestId(): string {
	// A comparison, not `% Number.MAX_SAFE_INTEGER`: a modulo by a double is a floating-point remainder on every request.
	idCounter = idCounter === Number.MAX_SAFE_INTEGER ? 1 : idCounter + 1;
	return `${idPrefix}-${idCounter.toString(36)}`;
}

export class Request {
	readonly method: string;
	/** The URL as received: path and query string. */
	readonly url: string;
	/** The path part of the URL, without the query string. */
	readonly path: string;
	readonly headers: IncomingHttpHeaders;
	/** Path parameters, by name, as strings (extract coerces them). */
	params: Record<string, string | undefined>;
	/** The parsed body: set by the body parser when the route extracts a body, or by a `parsingBody` hook. */
	body: unknown = undefined;
	/** Set once the body was read, so a second extract of the body does not read the stream again. */
	bodyParsed = false;
	/** Floors of the once-per-request processes that already ran for this request. */
	processFloors: Map<object, unknown> | undefined = undefined;
	/** The path pattern of the matched route, e.g. `/users/{id}`. */
	matchedPath: string;
	/** `x-request-id` from the client when well-formed, otherwise a fresh id; echoed in the response. */
	readonly id: string;
	/** When the request was received (performance.now()), for the access log and request metrics (afterSend hooks). */
	readonly startedAt: number;
	readonly raw: RawRequest;

	private readonly search: string;
	private queryCache: Record<string, string | string[] | undefined> | undefined = undefined;
	private cookieCache: Record<string, string | undefined> | undefined = undefined;
	private loggerCache: Logger | undefined = undefined;
	private readonly baseLogger: Logger;
	private readonly trustedProxies: number;

	constructor(
		raw: RawRequest,
		path: string,
		search: string,
		matchedPath: string,
		params: Record<string, string | undefined>,
		baseLogger: Logger,
		startedAt: number,
		trustedProxies = 0,
	) {
		this.raw = raw;
		this.method = raw.method ?? "GET";
		this.url = raw.url ?? "/";
		this.path = path;
		this.search = search;
		this.headers = raw.headers;
		this.params = params;
		this.matchedPath = matchedPath;
		this.baseLogger = baseLogger;
		this.startedAt = startedAt;
		this.trustedProxies = trustedProxies;
		const given = raw.headers["x-request-id"];
		this.id = typeof given === "string" && requestIdPattern.test(given) ? given : nextRequestId();
	}

	/** Query string values by key; a key given several times is an array. */
	get query(): Record<string, string | string[] | undefined> {
		if (this.queryCache === undefined) {
			this.queryCache = this.search === "" ? {} : (parseQueryString(this.search) as Record<string, string | string[]>);
		}
		return this.queryCache;
	}

	get cookies(): Record<string, string | undefined> {
		if (this.cookieCache === undefined) {
			const header = this.headers.cookie;
			this.cookieCache = header === undefined ? {} : parseCookieHeader(header);
		}
		return this.cookieCache;
	}

	/** A pino child logger bound to this request's id (made on first use). */
	get logger(): Logger {
		if (this.loggerCache === undefined) this.loggerCache = this.baseLogger.child({ reqId: this.id });
		return this.loggerCache;
	}

	/**
	 * The client's address. Behind `trustProxy` hops of reverse proxies, taken from `x-forwarded-for`
	 * (each proxy appends the address it saw, so the client is that many entries from the end);
	 * otherwise the socket's peer. Never trust the header without a proxy that rewrites it.
	 */
	get ip(): string | undefined {
		const socketAddress = this.raw.socket?.remoteAddress;
		if (this.trustedProxies === 0) return socketAddress;
		const header = this.headers["x-forwarded-for"];
		if (typeof header !== "string" || header === "") return socketAddress;
		const hops = header
			.split(",")
			.map((entry) => entry.trim())
			.filter(Boolean);
		// The socket peer is the nearest proxy; the header lists what the proxies before it saw.
		const index = hops.length - this.trustedProxies;
		return hops[Math.max(index, 0)] ?? socketAddress;
	}
}
