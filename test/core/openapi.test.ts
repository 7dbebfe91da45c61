// Specification of generateOpenApi: parameters, bodies, responses from contracts, security, operation ids and tags.
import { Validator } from "@seriousme/openapi-schema-validator";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import {
	createApp,
	createChecker,
	createProcess,
	generateOpenApi,
	IHaveSentThis,
	type OpenApiDocument,
	type OpenApiOptions,
	operationIdOf,
} from "../../src/core/index.js";
import { unchecked } from "../helpers/unchecked.js";

const characterSchema = z.object({ id: z.number(), name: z.string(), createdAt: z.date() });

const characterExist = createChecker("characterExist").handler((id: number, output) =>
	id === 1
		? output("character.exist", { id, name: "Eni", createdAt: new Date(0) })
		: output("character.notfound", null),
);

const authenticated = createProcess("authenticated")
	.extract({ headers: { authorization: z.string().optional(), "x-client": z.string().optional() } })
	.cut(() => ({ user: { id: 1 } }), ["user"])
	.build(["user"], new IHaveSentThis(401, ["session.missing", "session.expired"]));

// A process that uses another one: its security applies to every route that uses the outer one.
const memberOfGuild = createProcess("memberOfGuild")
	.process(authenticated, { pickup: ["user"] })
	.build(["user"], new IHaveSentThis(403, "guild.forbidden"));

function sampleApp() {
	const app = createApp({ environment: "TEST" });
	app
		.declareRoute("GET", "/api/characters/{characterId}")
		.extract({
			params: { characterId: z.coerce.number().int().positive() },
			query: { fields: z.string().optional(), page: z.coerce.number().default(1), q: z.string() },
		})
		.process(authenticated, { pickup: ["user"] })
		.check(
			characterExist,
			{
				input: (pickup) => pickup("characterId"),
				result: "character.exist",
				catch: (response, info) => response.code(404).info(info).send(),
				indexing: "character",
			},
			new IHaveSentThis(404, "character.notfound"),
		)
		.handler(
			({ pickup }, response) => response.code(200).info("character.found").send(pickup("character")),
			new IHaveSentThis(200, "character.found", characterSchema),
		);
	app
		.declareRoute("POST", "/api/characters")
		.extract({ body: { name: z.string().min(2), level: z.number().int().default(1) } })
		.handler(
			(_floor, response) => response.code(201).info("character.created").send(),
			new IHaveSentThis(201, "character.created"),
			new IHaveSentThis(409, "character.name.taken"),
		);
	app
		.declareRoute("GET", ["/api/guilds/{guildId}/members", "/api/guilds/{guildId}/people"])
		.process(memberOfGuild)
		.handler(
			(_floor, response) => response.code(200).info("members.found").send([]),
			new IHaveSentThis(200, "members.found", z.array(z.string())),
		);
	app
		.declareRoute("GET", "/api/news")
		.process(authenticated, { skip: () => true })
		.handler((_floor, response) => response.code(200).info("news.found").send(), new IHaveSentThis(200, "news.found"));
	app
		.declareRoute("GET", "/health")
		.handler((_floor, response) => unchecked(response).code(200).info("health.ok").send());
	return app;
}

/** The validator resolves references in place: give it a copy. */
const validate = (spec: OpenApiDocument) =>
	new Validator().validate(structuredClone(spec) as unknown as Record<string, unknown>);

const options: OpenApiOptions = {
	info: { title: "Sample", version: "1.0.0" },
	securitySchemes: {
		bearerAuth: { type: "http", scheme: "bearer" },
		cookieAuth: { type: "apiKey", in: "cookie", name: "session" },
	},
	securityByProcess: { authenticated: [{ bearerAuth: [] }, { cookieAuth: [] }] },
	tagOf: (path) => (path.startsWith("/api/") ? (path.split("/")[2] ?? "api") : "system"),
};

const document = generateOpenApi(sampleApp().routes, options);
const operation = (path: string, method: "get" | "post") => {
	const found = document.paths[path]?.[method];
	if (found === undefined) throw new Error(`no ${method} ${path} in the document`);
	return found;
};

describe("generateOpenApi", () => {
	it("produces a document a real OpenAPI 3.1 validator accepts", async () => {
		const result = await validate(document);
		expect(result.errors).toBeUndefined();
		expect(result.valid).toBe(true);
	});

	it("turns extracted params and query into parameters, input side (defaults make them optional)", () => {
		const parameters = operation("/api/characters/{characterId}", "get").parameters ?? [];
		expect(parameters).toContainEqual({
			name: "characterId",
			in: "path",
			required: true,
			schema: { type: "integer", exclusiveMinimum: 0, maximum: Number.MAX_SAFE_INTEGER },
		});
		expect(parameters).toContainEqual({ name: "q", in: "query", required: true, schema: { type: "string" } });
		expect(parameters).toContainEqual({ name: "fields", in: "query", required: false, schema: { type: "string" } });
		expect(parameters).toContainEqual({
			name: "page",
			in: "query",
			required: false,
			schema: { type: "number", default: 1 },
		});
	});

	it("includes the headers a process extracts, but not Authorization (described by security)", () => {
		const names = (operation("/api/characters/{characterId}", "get").parameters ?? []).map(
			(parameter) => `${parameter.in} ${parameter.name}`,
		);
		expect(names).toContain("header x-client");
		expect(names).not.toContain("header authorization");
	});

	it("turns an extracted body into a required JSON request body", () => {
		const body = operation("/api/characters", "post").requestBody;
		expect(body?.required).toBe(true);
		expect(body?.content["application/json"]?.schema).toMatchObject({
			type: "object",
			properties: { name: { type: "string", minLength: 2 }, level: { type: "integer", default: 1 } },
			required: ["name"],
		});
	});

	it("lists every contract of every step, grouped by code, with infos in the description, x-infos and the info header", () => {
		const responses = operation("/api/characters/{characterId}", "get").responses;
		expect(Object.keys(responses)).toEqual(["200", "400", "401", "404", "500"]);
		expect(responses["401"]?.["x-infos"]).toEqual(["session.missing", "session.expired"]);
		expect(responses["401"]?.description).toContain("`session.expired`");
		expect(responses["404"]?.headers?.info?.schema).toEqual({ type: "string", enum: ["character.notfound"] });
		expect(responses["400"]?.["x-infos"]).toEqual([
			"TYPE_ERROR.params",
			"TYPE_ERROR.params.characterId",
			"TYPE_ERROR.query",
			"TYPE_ERROR.query.fields",
			"TYPE_ERROR.query.page",
			"TYPE_ERROR.query.q",
			"TYPE_ERROR.headers",
			"TYPE_ERROR.headers.authorization",
			"TYPE_ERROR.headers.x-client",
		]);
		expect(responses["500"]?.["x-infos"]).toEqual(["INTERNAL_SERVER_ERROR", "NO_RESPONSE_SENT"]);
	});

	it("describes a declared body schema, output side, with dates as strings", () => {
		const ok = operation("/api/characters/{characterId}", "get").responses["200"];
		expect(ok?.content?.["application/json"]?.schema).toEqual({
			type: "object",
			properties: {
				id: { type: "number" },
				name: { type: "string" },
				createdAt: { type: "string", format: "date-time" },
			},
			required: ["id", "name", "createdAt"],
			additionalProperties: false,
		});
	});

	it("adds the body parser's answers to routes that read a body", () => {
		const responses = operation("/api/characters", "post").responses;
		expect(responses["400"]?.["x-infos"]).toContain("BODY_PARSE_ERROR");
		expect(responses["413"]?.["x-infos"]).toEqual(["PAYLOAD_TOO_LARGE"]);
		expect(responses["415"]?.["x-infos"]).toEqual(["UNSUPPORTED_MEDIA_TYPE"]);
		expect(responses["201"]?.content).toBeUndefined();
	});

	it("requires the security of a process used at any depth, and none elsewhere", () => {
		expect(operation("/api/characters/{characterId}", "get").security).toEqual([
			{ bearerAuth: [] },
			{ cookieAuth: [] },
		]);
		expect(operation("/api/guilds/{guildId}/members", "get").security).toEqual([
			{ bearerAuth: [] },
			{ cookieAuth: [] },
		]);
		expect(operation("/api/guilds/{guildId}/members", "get").responses["403"]?.["x-infos"]).toEqual([
			"guild.forbidden",
		]);
		expect(operation("/api/characters", "post").security).toBeUndefined();
		expect(document.components.securitySchemes).toEqual(options.securitySchemes);
	});

	it("makes security optional when the process can be skipped", () => {
		expect(operation("/api/news", "get").security).toEqual([{ bearerAuth: [] }, { cookieAuth: [] }, {}]);
	});

	it("derives stable operation ids from method and path, one operation per path", () => {
		expect(operation("/api/characters/{characterId}", "get").operationId).toBe("getApiCharactersByCharacterId");
		expect(operation("/api/guilds/{guildId}/members", "get").operationId).toBe("getApiGuildsByGuildIdMembers");
		expect(operation("/api/guilds/{guildId}/people", "get").operationId).toBe("getApiGuildsByGuildIdPeople");
		expect(operationIdOf("POST", "/api/auth/logout-all")).toBe("postApiAuthLogoutAll");
		expect(operationIdOf("GET", "/openapi.json")).toBe("getOpenapiJson");
	});

	it("tags operations with tagOf, lists the tags, and does not list the implicit HEAD", () => {
		expect(operation("/api/characters", "post").tags).toEqual(["characters"]);
		expect(operation("/health", "get").tags).toEqual(["system"]);
		expect(document.tags).toEqual([{ name: "characters" }, { name: "guilds" }, { name: "news" }, { name: "system" }]);
		expect(JSON.stringify(document)).not.toContain('"head"');
	});

	it("hoists the $defs of recursive schemas into components so their references resolve", async () => {
		const category: z.ZodType<{ name: string; children: unknown[] }> = z.object({
			name: z.string(),
			get children() {
				return z.array(category);
			},
		});
		const app = createApp({ environment: "TEST" });
		app
			.declareRoute("GET", "/tree")
			.handler(
				(_floor, response) => response.code(200).info("tree.found").send({ name: "root", children: [] }),
				new IHaveSentThis(200, "tree.found", category),
			);
		const tree = generateOpenApi(app.routes, options);
		const text = JSON.stringify(tree);
		expect(text).not.toContain("#/$defs/");
		expect(text).toContain("#/components/schemas/");
		expect(Object.keys(tree.components.schemas).length).toBeGreaterThan(0);
		expect((await validate(tree)).valid).toBe(true);
	});
});
