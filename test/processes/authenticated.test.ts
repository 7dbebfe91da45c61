// The `authenticated` process: which credential a request carries, the same-origin rule for cookies, and its 401s.
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import type { App } from "../../src/core/index.js";
import { Request } from "../../src/core/index.js";
import { isSameOrigin, readCredential } from "../../src/processes/authenticated.js";
import { freshAppPerTest, signUp, type TestClock } from "../helpers/identity.js";

const logger = pino({ level: "silent" });
const token = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnop-";

function request(headers: Record<string, string>, method = "POST"): Request {
	return new Request({ method, url: "/api/me", headers }, "/api/me", "", "/api/me", {}, logger, 0);
}

describe("readCredential", () => {
	it.each([
		["Bearer", `Bearer ${token}`],
		["a lower-case scheme", `bearer ${token}`],
		["an upper-case scheme", `BEARER ${token}`],
		["several spaces", `Bearer   ${token}`],
		["trailing whitespace", `Bearer ${token} \t`],
	])("reads a Bearer token from the Authorization header (%s)", (_label, authorization) => {
		expect(readCredential(request({ authorization }))).toEqual({ token, via: "bearer" });
	});

	it.each([
		["the scheme alone", "Bearer"],
		["the scheme and a space", "Bearer "],
		["two words", `Bearer ${token} more`],
		["another scheme", "Basic dXNlcjpwYXNz"],
		["no space after the scheme", `Bearer${token}`],
		["a tab after the scheme", `Bearer\t${token}`],
		["text before the scheme", `xBearer ${token}`],
		["empty", ""],
	])("calls any other Authorization header malformed (%s)", (_label, authorization) => {
		expect(readCredential(request({ authorization }))).toBe("malformed");
	});

	it("reads the session cookie when there is no Authorization header", () => {
		expect(readCredential(request({ cookie: `theme=dark; session=${token}` }))).toEqual({ token, via: "cookie" });
	});

	it("prefers the Authorization header over the cookie", () => {
		const credential = readCredential(request({ authorization: "Bearer from-header", cookie: `session=${token}` }));
		expect(credential).toEqual({ token: "from-header", via: "bearer" });
		expect(readCredential(request({ authorization: "Basic x", cookie: `session=${token}` }))).toBe("malformed");
	});

	it("finds no credential without the header and without a non-empty session cookie", () => {
		expect(readCredential(request({}))).toBeNull();
		expect(readCredential(request({ cookie: "session=" }))).toBeNull();
		expect(readCredential(request({ cookie: `other=${token}` }))).toBeNull();
	});
});

describe("isSameOrigin", () => {
	const host = "api.example.test";

	it("accepts an Origin whose host is the request's Host, whatever its case", () => {
		expect(isSameOrigin(request({ host, origin: "https://api.example.test" }), [])).toBe(true);
		expect(isSameOrigin(request({ host: "API.Example.TEST", origin: "https://api.example.test" }), [])).toBe(true);
	});

	it("compares the port too", () => {
		expect(isSameOrigin(request({ host: "api.example.test:8080", origin: "http://api.example.test:8080" }), [])).toBe(
			true,
		);
		expect(isSameOrigin(request({ host: "api.example.test:8080", origin: "http://api.example.test:9090" }), [])).toBe(
			false,
		);
	});

	it("refuses an Origin of another host", () => {
		expect(isSameOrigin(request({ host, origin: "https://evil.example" }), [])).toBe(false);
	});

	it("reads the origin of the Referer when there is no Origin", () => {
		expect(isSameOrigin(request({ host, referer: "https://api.example.test/settings?tab=1" }), [])).toBe(true);
		expect(isSameOrigin(request({ host, referer: "https://evil.example/page" }), [])).toBe(false);
	});

	it("trusts the Origin over the Referer", () => {
		expect(isSameOrigin(request({ host, origin: "https://evil.example", referer: `https://${host}/` }), [])).toBe(
			false,
		);
	});

	it("accepts an allowed origin, even for another Host", () => {
		const allowed = ["https://app.example.test"];
		expect(isSameOrigin(request({ host, origin: "https://app.example.test" }), allowed)).toBe(true);
		expect(isSameOrigin(request({ host, referer: "https://app.example.test/page" }), allowed)).toBe(true);
		expect(isSameOrigin(request({ host, origin: "https://other.example.test" }), allowed)).toBe(false);
	});

	it("refuses a request without Origin or Referer, with the opaque origin 'null', or with an unreadable one", () => {
		expect(isSameOrigin(request({ host }), [])).toBe(false);
		expect(isSameOrigin(request({ host, origin: "null" }), [])).toBe(false);
		expect(isSameOrigin(request({ host, origin: "not a url" }), [])).toBe(false);
	});

	it("refuses an opaque origin, such as a Referer of a local file", () => {
		expect(isSameOrigin(request({ host, referer: "file:///home/player/page.html" }), [])).toBe(false);
		expect(isSameOrigin(request({ host, origin: "data:text/html,hi" }), [])).toBe(false);
	});

	it("refuses a request without a Host to compare with", () => {
		expect(isSameOrigin(request({ origin: "https://api.example.test" }), [])).toBe(false);
	});
});

describe("the authenticated process on a route", () => {
	let app: App;
	let clock: TestClock;
	freshAppPerTest((fresh) => {
		({ app, clock } = fresh);
	});

	it("answers a missing credential 401 session.missing without a Bearer challenge", async () => {
		const response = await app.inject({ url: "/api/me" });
		expect(response).toAnswer(401, "session.missing");
		expect(response.headers["www-authenticate"]).toBeUndefined();
	});

	it("answers a malformed Authorization header 401 session.invalid", async () => {
		const response = await app.inject({ url: "/api/me", headers: { authorization: "Basic dXNlcjpwYXNz" } });
		expect(response).toAnswer(401, "session.invalid");
	});

	it.each([
		["an unknown token", "session.invalid", async () => ({ authorization: `Bearer ${token}` })],
		[
			"an expired token",
			"session.expired",
			async () => {
				const user = await signUp(app);
				clock.advance(15 * 60 * 1000);
				return user.headers;
			},
		],
		[
			"a revoked session",
			"session.revoked",
			async () => {
				const user = await signUp(app);
				await app.inject({ method: "POST", url: "/api/auth/logout", headers: user.headers });
				return user.headers;
			},
		],
	])("answers %s 401 %s with an invalid_token challenge", async (_label, info, headers) => {
		const response = await app.inject({ url: "/api/me", headers: await headers() });
		expect(response).toAnswer(401, info);
		expect(response.headers["www-authenticate"]).toBe('Bearer error="invalid_token"');
	});

	it("lets a cookie-authenticated safe request through from another origin", async () => {
		const user = await signUp(app);
		const cookie = user.cookie.split(";")[0] as string;
		const response = await app.inject({
			url: "/api/me",
			headers: { cookie, origin: "https://evil.example", host: "api.localhost" },
		});
		expect(response.statusCode, response.body).toBe(200);
		expect(response.json().user.id).toBe(user.id);
	});

	it("treats HEAD as a safe method: a cookie from another origin may ask it", async () => {
		const user = await signUp(app);
		const cookie = user.cookie.split(";")[0] as string;
		const response = await app.inject({
			method: "HEAD",
			url: "/api/me",
			headers: { cookie, origin: "https://evil.example", host: "api.localhost" },
		});
		expect(response.statusCode).toBe(200);
	});

	it("refuses a cookie-authenticated change from another origin with 403 csrf.rejected, before the session lookup", async () => {
		const response = await app.inject({
			method: "POST",
			url: "/api/auth/logout",
			headers: { cookie: `session=${token}`, origin: "https://evil.example", host: "api.localhost" },
		});
		expect(response).toAnswer(403, "csrf.rejected");
	});

	it("refuses a cookie-authenticated change from a local file with 403 csrf.rejected", async () => {
		const user = await signUp(app);
		const cookie = user.cookie.split(";")[0] as string;
		const response = await app.inject({
			method: "POST",
			url: "/api/auth/logout",
			headers: { cookie, referer: "file:///home/player/page.html", host: "api.localhost" },
		});
		expect(response).toAnswer(403, "csrf.rejected");
	});

	it("declares csrf.rejected on the routes that change data only", async () => {
		const document = (await app.inject({ url: "/openapi.json" })).json();
		const infos = (path: string, method: string): string[] =>
			document.paths[path][method].responses["403"]?.["x-infos"] ?? [];
		expect(infos("/api/me", "get")).not.toContain("csrf.rejected");
		expect(infos("/api/auth/logout", "post")).toContain("csrf.rejected");
		expect(infos("/api/guilds/{guildId}/settings", "put")).toContain("csrf.rejected");
		expect(infos("/api/guilds/{guildId}", "delete")).toContain("csrf.rejected");
		expect(infos("/api/guilds/{guildId}", "patch")).toContain("csrf.rejected");
	});

	it("declares its 401 answers on every protected route", async () => {
		const document = (await app.inject({ url: "/openapi.json" })).json();
		expect(document.paths["/api/me"].get.responses["401"]["x-infos"]).toEqual(
			expect.arrayContaining(["session.missing", "session.invalid", "session.expired", "session.revoked"]),
		);
	});
});
