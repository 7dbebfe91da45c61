// The common calls of route tests in one line: `as(app, user).post("/api/accounts", { name: "Main" })`
// sends the user's Bearer token; `anonymous(app).get(url)` sends none. Both go through app.inject, the
// real pipeline.
import type { App, InjectRequest, InjectResponse } from "../../src/core/index.js";

/** Extra request settings: more headers, cookies, a query, a client address. */
export type CallOptions = Omit<InjectRequest, "method" | "url" | "body">;

export interface Caller {
	get(url: string, options?: CallOptions): Promise<InjectResponse>;
	delete(url: string, options?: CallOptions): Promise<InjectResponse>;
	post(url: string, body?: unknown, options?: CallOptions): Promise<InjectResponse>;
	put(url: string, body?: unknown, options?: CallOptions): Promise<InjectResponse>;
	patch(url: string, body?: unknown, options?: CallOptions): Promise<InjectResponse>;
}

function caller(app: App, headers: Record<string, string>): Caller {
	const call = (method: string, url: string, body: unknown, options: CallOptions = {}) =>
		app.inject({ ...options, method, url, body, headers: { ...headers, ...options.headers } });
	return {
		get: (url, options) => call("GET", url, undefined, options),
		delete: (url, options) => call("DELETE", url, undefined, options),
		post: (url, body, options) => call("POST", url, body, options),
		put: (url, body, options) => call("PUT", url, body, options),
		patch: (url, body, options) => call("PATCH", url, body, options),
	};
}

/** Calls as a logged-in user (anything with the `headers` of `loginAs`/`signUp`). */
export function as(app: App, user: { headers: { authorization: string } }): Caller {
	return caller(app, user.headers);
}

/** Calls without credentials. */
export function anonymous(app: App): Caller {
	return caller(app, {});
}
