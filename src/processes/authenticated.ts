// The `authenticated` process: resolves the Bearer token or `session` cookie into a live session and its user.
import { createProcess, type Request } from "../core/index.js";
import type { IdentityServices } from "../services/identity.js";
import { authenticatedAnswers } from "./answers.js";

export const sessionCookieName = "session";

export type Credential = { token: string; via: "bearer" | "cookie" };

const safeMethods = new Set(["GET", "HEAD", "OPTIONS"]);
const unsafeMethods = ["POST", "PUT", "PATCH", "DELETE"] as const;

/** The Authorization header wins over the cookie: an API client may also carry a browser's cookie jar. */
export function readCredential(request: Request): Credential | "malformed" | null {
	const header = request.headers.authorization;
	if (header !== undefined) {
		const match = /^Bearer[ ]+(\S+)\s*$/i.exec(header);
		return match?.[1] === undefined ? "malformed" : { token: match[1], via: "bearer" };
	}
	const cookie = request.cookies[sessionCookieName];
	return cookie === undefined || cookie === "" ? null : { token: cookie, via: "cookie" };
}

/** The origin (scheme://host:port) a browser request came from: `Origin`, or the one of `Referer`. */
function requestOrigin(request: Request): string | null {
	const candidate = request.headers.origin ?? request.headers.referer;
	// Stryker disable next-line ConditionalExpression: new URL(undefined) throws too, and the catch answers null
	if (candidate === undefined) return null;
	try {
		// Opaque origins (file:, data:, a sandboxed page's Origin "null") have no host to compare.
		const { origin } = new URL(candidate);
		return origin === "null" ? null : origin;
	} catch {
		return null;
	}
}

/**
 * Cookies ride along on cross-site requests, so a cookie-authenticated unsafe request must prove it
 * comes from our own pages: its origin's host must be the Host it was sent to, or an allowed origin.
 * Bearer tokens are exempt: a foreign page cannot make a browser add them.
 */
export function isSameOrigin(request: Request, allowedOrigins: readonly string[]): boolean {
	const origin = requestOrigin(request);
	if (origin === null) return false;
	if (allowedOrigins.includes(origin)) return true;
	const host = request.headers.host;
	return typeof host === "string" && new URL(origin).host === host.toLowerCase();
}

export function createAuthenticated({ sessions, settings }: Pick<IdentityServices, "sessions" | "settings">) {
	const { missing, malformed, invalid, expired, revoked, csrfRejected } = authenticatedAnswers;
	return (
		createProcess("authenticated")
			// Routes use it, and so does userHasRight inside them: the session is looked up once per request.
			.oncePerRequest()
			.cut(
				(_floor, response, request) => {
					const credential = readCredential(request);
					if (credential === null) return missing.send(response);
					if (credential === "malformed") return malformed.send(response);
					if (
						credential.via === "cookie" &&
						!safeMethods.has(request.method) &&
						!isSameOrigin(request, settings.allowedOrigins)
					) {
						return csrfRejected.send(response);
					}
					return { credential };
				},
				["credential"],
				missing,
				malformed,
				// Safe methods are exempt from the origin check: only routes that change data can refuse this.
				csrfRejected.forMethods(...unsafeMethods),
			)
			.cut(
				async ({ pickup }, response, _request) => {
					const result = await sessions.authenticate(pickup("credential").token);
					if (result.status !== "valid") {
						response.header("www-authenticate", `Bearer error="invalid_token"`);
						if (result.status === "invalid") return invalid.send(response);
						if (result.status === "expired") return expired.send(response);
						return revoked.send(response);
					}
					return { session: result.session, user: result.user };
				},
				["session", "user"],
				invalid,
				expired,
				revoked,
			)
			// Its refusals are declared by the cuts that send them: a step's response takes only what the step declares.
			.build(["session", "user"])
	);
}

export type Authenticated = ReturnType<typeof createAuthenticated>;
