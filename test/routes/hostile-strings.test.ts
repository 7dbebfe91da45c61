// Specification, driven by the OpenAPI document, of strings a database cannot store: every field of every operation gets NUL and lone surrogates.
import { sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import type { App, OpenApiDocument } from "../../src/core/index.js";
import type { Database } from "../../src/db/index.js";
import { getTestDatabase, resetTestDatabase } from "../helpers/database.js";
import { createAccountAs, createCharacterAs, createTeamAs } from "../helpers/domain.js";
import { reference } from "../helpers/fixtures.js";
import { buildIdentityApp, createGuildAs, defaultPassword, signUp } from "../helpers/identity.js";
import {
	acceptsText,
	type DocumentOperation,
	exampleOf,
	fetchDocument,
	type JsonSchema,
	operationsOf,
	type Parameter,
	requestBodySchema,
	responseValidator,
} from "../helpers/openapi-document.js";
import { unchecked } from "../helpers/unchecked.js";

const partOf: Record<Parameter["in"], string> = {
	path: "params",
	query: "query",
	header: "headers",
	cookie: "cookies",
};

interface Hostile {
	name: string;
	/** The value as the route's extract would see it (JSON bodies and headers carry JS strings as they are). */
	value: string;
	/**
	 * How it travels in a URL. A lone surrogate has no UTF-8 form, so the closest a client can send is the bytes
	 * of its UTF-8-like encoding: invalid UTF-8, which the decoder turns into U+FFFD, an ordinary character.
	 */
	inUrl: string;
	/** False when what reaches the route after URL decoding is ordinary text. */
	hostileInUrl: boolean;
}

const hostiles: Hostile[] = [
	{ name: "NUL", value: "fu\u0000zz", inUrl: "fu%00zz", hostileInUrl: true },
	{ name: "lone high surrogate", value: "fu\uD800zz", inUrl: "fu%ED%A0%80zz", hostileInUrl: false },
	{ name: "lone low surrogate", value: "\uDC00fuzz", inUrl: "%ED%B0%80fuzz", hostileInUrl: false },
];

interface Sent {
	operation: DocumentOperation;
	field: string;
	hostile: Hostile;
	/** The info the extract step must answer with, when the hostile value reaches it intact. */
	expectedInfo: string | undefined;
	statusCode: number;
	info: string | undefined;
	body: string;
}

let db: Database;
let app: App;
let document: OpenApiDocument;
/** Real ids and values for fields a generic example cannot guess. */
let known: Record<string, unknown>;
let bearer: { authorization: string };

beforeAll(async () => {
	db = await getTestDatabase();
	await resetTestDatabase(db);
	// A platform admin: admin routes refuse anyone else (404) before their extract, which this suite is about.
	({ app } = buildIdentityApp(db, { config: { ADMIN_EMAILS: ["hostile-owner@example.test"] } }));
	document = await fetchDocument(app);

	const owner = await signUp(app, { email: "hostile-owner@example.test" });
	bearer = owner.headers;
	const account = await createAccountAs(app, owner);
	const character = await createCharacterAs(app, owner, account.id);
	const team = await createTeamAs(app, owner);
	const guild = await createGuildAs(app, owner);
	const invited = await app.inject({
		method: "POST",
		url: `/api/guilds/${guild.guildId}/invitations`,
		headers: bearer,
		body: { email: "invited@example.test", roleId: guild.memberRoleId },
	});
	expect(invited.statusCode, invited.body).toBe(201);
	const sessions = await app.inject({ url: "/api/auth/sessions", headers: bearer });
	known = {
		accountId: account.id,
		characterId: character.id,
		teamId: team.id,
		guildId: guild.guildId,
		roleId: guild.memberRoleId,
		userId: owner.id,
		sessionId: sessions.json().sessions[0].id,
		token: invited.json().token,
		refId: reference.dungeon.kardorim,
		classId: reference.class.iop,
		serverId: reference.server.draconiros,
		file: "swagger-ui.css",
		// Any well-formed id: the routes answer 404 for it, after extract has had its say.
		fileId: "6f1c2b8e-3d4a-4b5c-9e7f-0a1b2c3d4e5f",
		email: "someone@example.test",
		locale: "fr",
		password: defaultPassword,
		new: defaultPassword,
		sort: "level:desc",
	};
});

function pathWith(operation: DocumentOperation, values: Record<string, unknown>): string {
	return operation.path.replace(/\{([^}]+)\}/g, (_match, name: string) => encodeURIComponent(String(values[name])));
}

/** One request with every field valid except `field`, which carries the hostile value. */
async function sendHostile(
	operation: DocumentOperation,
	where: "parameter" | "body",
	field: string,
	hostile: Hostile,
): Promise<Sent> {
	const parameters = operation.operation.parameters ?? [];
	const pathValues: Record<string, unknown> = {};
	const query: string[] = [];
	const headers: Record<string, string> = { ...bearer };
	let expectedInfo: string | undefined;
	for (const parameter of parameters) {
		const fuzzed = where === "parameter" && parameter.name === field;
		if (!fuzzed && !parameter.required) continue;
		const valid = String(exampleOf(parameter.schema, parameter.name, known));
		if (parameter.in === "header") headers[parameter.name] = fuzzed ? hostile.value : valid;
		else if (parameter.in === "path") pathValues[parameter.name] = fuzzed ? undefined : valid;
		else if (parameter.in === "query")
			query.push(`${encodeURIComponent(parameter.name)}=${fuzzed ? hostile.inUrl : encodeURIComponent(valid)}`);
		if (fuzzed && (parameter.in === "header" || hostile.hostileInUrl))
			expectedInfo = `TYPE_ERROR.${partOf[parameter.in]}.${parameter.name}`;
	}
	let url = pathWith(operation, pathValues);
	if (where === "parameter" && parameters.some((parameter) => parameter.in === "path" && parameter.name === field)) {
		url = operation.path.replace(/\{([^}]+)\}/g, (_match, name: string) =>
			name === field ? hostile.inUrl : encodeURIComponent(String(pathValues[name])),
		);
	}
	if (query.length > 0) url += `?${query.join("&")}`;
	const schema = requestBodySchema(operation.operation);
	let body: unknown;
	if (schema !== undefined) {
		body = exampleOf(schema, "body", known);
		if (where === "body") {
			const property = ((schema.properties ?? {}) as Record<string, JsonSchema>)[field] as JsonSchema;
			const text = acceptsText(property);
			(body as Record<string, unknown>)[field] = text ? hostile.value : [hostile.value];
			expectedInfo = `TYPE_ERROR.body.${field}`;
		}
	}
	const response = await app.inject({
		method: operation.method,
		url,
		headers,
		...(body === undefined ? {} : { body }),
	});
	return {
		operation,
		field,
		hostile,
		expectedInfo,
		statusCode: response.statusCode,
		info: response.info,
		body: response.body,
	};
}

/** The fields worth fuzzing: every parameter (all travel as text), and the body's properties that hold strings. */
function fieldsOf(operation: DocumentOperation): { where: "parameter" | "body"; field: string }[] {
	const fields: { where: "parameter" | "body"; field: string }[] = (operation.operation.parameters ?? []).map(
		(parameter) => ({ where: "parameter", field: parameter.name }),
	);
	const schema = requestBodySchema(operation.operation);
	for (const [name, property] of Object.entries((schema?.properties ?? {}) as Record<string, JsonSchema>)) {
		const items = property.items as JsonSchema | undefined;
		if (acceptsText(property) || property.type === "string" || (items !== undefined && items.type === "string"))
			fields.push({ where: "body", field: name });
	}
	return fields;
}

describe("hostile strings, for every operation of the OpenAPI document", () => {
	let sent: Sent[];

	beforeAll(async () => {
		sent = [];
		const operations = operationsOf(document);
		let fields = 0;
		for (const operation of operations) {
			for (const { where, field } of fieldsOf(operation)) {
				fields++;
				for (const hostile of hostiles) sent.push(await sendHostile(operation, where, field, hostile));
			}
		}
		const failures = sent.filter((one) => one.statusCode >= 500).length;
		console.log(
			`hostile strings: ${operations.length} operations, ${fields} fields, ${sent.length} requests, ${failures} answered 5xx`,
		);
	});

	it("answers no request with a 5xx", () => {
		const failures = sent
			.filter((one) => one.statusCode >= 500)
			.map(
				(one) =>
					`${one.operation.method} ${one.operation.path} ${one.field} (${one.hostile.name}): ${one.statusCode} ${one.body}`,
			);
		expect(failures).toEqual([]);
	});

	it("refuses the hostile field at extract, with 400 TYPE_ERROR.<part>.<key>, wherever it reaches the route intact", () => {
		const expected = sent.filter((one) => one.expectedInfo !== undefined);
		// NUL everywhere, lone surrogates in bodies and headers: most requests must be refused by name.
		expect(expected.length).toBeGreaterThan(sent.length / 2);
		const wrong = expected
			.filter((one) => one.statusCode !== 400 || one.info !== one.expectedInfo)
			.map(
				(one) =>
					`${one.operation.method} ${one.operation.path} ${one.field} (${one.hostile.name}): ${one.statusCode} ${one.info}, expected 400 ${one.expectedInfo}`,
			);
		expect(wrong).toEqual([]);
	});

	it("sends 400 bodies that the document declares for the operation", () => {
		const refused = sent.filter((one) => one.statusCode === 400);
		expect(refused.length).toBeGreaterThan(0);
		const invalid: string[] = [];
		for (const one of refused) {
			const validator = responseValidator(document, one.operation.operation, 400);
			const where = `${one.operation.method} ${one.operation.path} ${one.field} (${one.hostile.name})`;
			if (validator === null) invalid.push(`${where}: the document declares no 400 body`);
			else if (!validator.safeParse(JSON.parse(one.body)).success) invalid.push(`${where}: ${one.body}`);
		}
		expect(invalid).toEqual([]);
	});
});

describe("credentials read outside extract (the authenticated process)", () => {
	it("answers a hostile Bearer token or session cookie with 401, never 5xx: tokens are hashed before any query", async () => {
		for (const hostile of hostiles) {
			const viaHeader = await app.inject({ url: "/api/me", headers: { authorization: `Bearer ${hostile.value}` } });
			expect([viaHeader.statusCode, viaHeader.info], hostile.name).toEqual([401, "session.invalid"]);
			const viaCookie = await app.inject({ url: "/api/me", headers: { cookie: `session=${hostile.inUrl}` } });
			expect([viaCookie.statusCode, viaCookie.info], hostile.name).toEqual([401, "session.invalid"]);
		}
	});
});

describe("a NUL that slips past extract", () => {
	it("is refused by the database, and the app answers 400 value.text_invalid rather than 500, in PROD", async () => {
		const { app: production } = buildIdentityApp(db, { config: { APP_ENV: "PROD" } });
		// A route that skips the rule on purpose, to reach the last line of defence: the database's refusal (22021).
		production.declareRoute("POST", "/test/unchecked-text").handler(async (_floor, response) => {
			await db.execute(
				sql`insert into users (email, password_hash, display_name) values (${"unchecked@example.test"}, ${"x"}, ${"a\u0000b"})`,
			);
			unchecked(response).code(204).send();
		});
		const response = await production.inject({ method: "POST", url: "/test/unchecked-text" });
		expect(response.statusCode, response.body).toBe(400);
		expect(response.info).toBe("value.text_invalid");
		expect(response.json()).toMatchObject({ error: "value.text_invalid" });
	});
});
