// Specification: every kind of 400 the API sends (extract, body parser, the routes' own refusals) has a body the OpenAPI document declares.
import { beforeAll, describe, expect, it } from "vitest";
import { type App, extractErrorBodySchema, type InjectRequest, type OpenApiDocument } from "../src/core/index.js";
import { totpCode } from "../src/services/totp.js";
import { getTestDatabase, resetTestDatabase } from "./helpers/database.js";
import {
	buildIdentityApp,
	defaultPassword,
	type LoggedIn,
	signUp,
	type TestClock,
	type TestUser,
} from "./helpers/identity.js";
import { fetchDocument, type Operation, responseValidator } from "./helpers/openapi-document.js";

let app: App;
let clock: TestClock;
let document: OpenApiDocument;
let user: TestUser & LoggedIn;
/** A user with 2FA on, for DELETE /api/auth/2fa. */
let secured: LoggedIn;

beforeAll(async () => {
	const db = await getTestDatabase();
	await resetTestDatabase(db);
	({ app, clock } = buildIdentityApp(db));
	document = await fetchDocument(app);
	user = await signUp(app);
	secured = await signUp(app);
	const setup = await app.inject({ method: "POST", url: "/api/auth/2fa/setup", headers: secured.headers });
	expect(setup.statusCode, setup.body).toBe(200);
	const enabled = await app.inject({
		method: "POST",
		url: "/api/auth/2fa/enable",
		headers: secured.headers,
		body: { code: totpCode(setup.json().secret, clock()) },
	});
	expect(enabled.statusCode, enabled.body).toBe(204);
	// 2FA setup for `user` too, so that enabling it with a wrong code is a refusal of its own.
	expect((await app.inject({ method: "POST", url: "/api/auth/2fa/setup", headers: user.headers })).statusCode).toBe(
		200,
	);
});

interface Case {
	info: string;
	operation: [method: string, path: string];
	request: () => InjectRequest;
}

const cases: Case[] = [
	// The routes' own refusals.
	{
		info: "password.weak",
		operation: ["post", "/api/auth/register"],
		request: () => ({
			method: "POST",
			url: "/api/auth/register",
			body: { email: "weak@example.test", password: "short", displayName: "Weak" },
		}),
	},
	{
		info: "reset.invalid",
		operation: ["post", "/api/auth/password/reset"],
		request: () => ({
			method: "POST",
			url: "/api/auth/password/reset",
			body: { token: "no-such-token", password: defaultPassword },
		}),
	},
	{
		info: "2fa.code_invalid",
		operation: ["post", "/api/auth/2fa/enable"],
		request: () => ({ method: "POST", url: "/api/auth/2fa/enable", headers: user.headers, body: { code: "000000" } }),
	},
	{
		info: "2fa.code_invalid",
		operation: ["delete", "/api/auth/2fa"],
		request: () => ({ method: "DELETE", url: "/api/auth/2fa", headers: secured.headers, body: { code: "000000" } }),
	},
	{
		info: "password.weak",
		operation: ["post", "/api/me/password"],
		request: () => ({
			method: "POST",
			url: "/api/me/password",
			headers: user.headers,
			body: { current: defaultPassword, new: "short" },
		}),
	},
	{
		info: "level.range_invalid",
		operation: ["get", "/api/characters"],
		request: () => ({ url: "/api/characters?minLevel=50&maxLevel=10", headers: user.headers }),
	},
	// The body parser.
	{
		info: "BODY_PARSE_ERROR",
		operation: ["post", "/api/auth/login"],
		request: () => ({
			method: "POST",
			url: "/api/auth/login",
			headers: { "content-type": "application/json" },
			body: "{not json",
		}),
	},
	// The extract step, on each part.
	{
		info: "TYPE_ERROR.body.email",
		operation: ["post", "/api/auth/register"],
		request: () => ({
			method: "POST",
			url: "/api/auth/register",
			body: { email: "not an email", password: defaultPassword, displayName: "X" },
		}),
	},
	{
		info: "TYPE_ERROR.body.locale",
		operation: ["patch", "/api/me"],
		request: () => ({ method: "PATCH", url: "/api/me", headers: user.headers, body: { locale: "French" } }),
	},
	{
		info: "TYPE_ERROR.query.sort",
		operation: ["get", "/api/characters"],
		request: () => ({ url: "/api/characters?sort=age", headers: user.headers }),
	},
	{
		info: "TYPE_ERROR.params.characterId",
		operation: ["get", "/api/characters/{characterId}"],
		request: () => ({ url: "/api/characters/abc", headers: user.headers }),
	},
	{
		info: "TYPE_ERROR.headers.if-none-match",
		operation: ["get", "/api/classes"],
		request: () => ({ url: "/api/classes", headers: { "if-none-match": "a\u0000b" } }),
	},
];

describe("400 answers and the OpenAPI document", () => {
	for (const {
		info,
		operation: [method, path],
		request,
	} of cases) {
		it(`${method.toUpperCase()} ${path}: the body of 400 ${info} is one the document declares`, async () => {
			const response = await app.inject(request());
			expect(response.statusCode, response.body).toBe(400);
			expect(response.info).toBe(info);
			const operation = (document.paths[path] as Record<string, Operation> | undefined)?.[method];
			expect(operation?.responses["400"]?.["x-infos"]).toContain(info);
			const validator = responseValidator(document, operation as Operation, 400);
			expect(validator, "the document declares no 400 body").not.toBeNull();
			const body = response.json();
			const result = validator?.safeParse(body);
			expect(result?.success, `${response.body}\n${JSON.stringify(result?.error?.issues)}`).toBe(true);
			if (info.startsWith("TYPE_ERROR.")) expect(extractErrorBodySchema.parse(body).info).toBe(info);
		});
	}

	it("rejects, through the same validators, a refusal body carrying fields the document does not declare", () => {
		const operation = document.paths["/api/auth/register"]?.post as Operation;
		expect(
			responseValidator(document, operation, 400)?.safeParse({
				error: "password.weak",
				message: "Too short.",
				stack: "at …",
			}).success,
		).toBe(false);
	});
});
