// OpenAPI 3.1 from declared routes: parameters and bodies from extract schemas, responses from contracts.
import { z } from "zod";
import type { ErrorAnswer } from "./error-answers.js";
import { type ExtractPart, type ExtractSchema, extractParts, isZodSchema } from "./extract.js";
import {
	type DeclaredResponse,
	declaredResponses,
	extractsOf,
	processesUsed,
	skippableProcesses,
} from "./introspect.js";
import { type JsonSchema, SchemaConverter } from "./json-schema.js";
import { type AnyMultipart, multipartMediaType } from "./multipart.js";
import type { HttpMethod, PipelineDefinition, RouteDefinition } from "./route-definition.js";

// A deliberately small model of the OpenAPI 3.1 objects we emit: the core depends on no OpenAPI package.
export type SecurityRequirement = Record<string, string[]>;
export type SecuritySchemeObject =
	| { type: "http"; scheme: string; bearerFormat?: string; description?: string }
	| { type: "apiKey"; name: string; in: "query" | "header" | "cookie"; description?: string }
	| { type: "oauth2" | "openIdConnect" | "mutualTLS"; description?: string; [key: string]: unknown };

export interface ParameterObject {
	name: string;
	in: "path" | "query" | "header" | "cookie";
	required: boolean;
	schema: JsonSchema;
	description?: string;
}

export interface ResponseObject {
	description: string;
	headers?: Record<string, { description?: string; schema: JsonSchema }>;
	content?: Record<string, { schema: JsonSchema; "x-event-schema"?: JsonSchema }>;
	/** The infos (value of the `info` header) this status code is sent with. */
	"x-infos": string[];
}

export interface MediaTypeObject {
	schema: JsonSchema;
	/** multipart/form-data: the content types each file field accepts. */
	encoding?: Record<string, { contentType: string }>;
}

export interface OperationObject {
	operationId: string;
	tags: string[];
	summary: string;
	parameters?: ParameterObject[];
	requestBody?: { required: boolean; content: Record<string, MediaTypeObject> };
	responses: Record<string, ResponseObject>;
	security?: SecurityRequirement[];
}

export interface OpenApiDocument {
	openapi: "3.1.0";
	info: { title: string; version: string; description?: string };
	servers?: { url: string; description?: string }[];
	tags: { name: string }[];
	paths: Record<string, Partial<Record<Lowercase<HttpMethod>, OperationObject>>>;
	components: { schemas: Record<string, JsonSchema>; securitySchemes?: Record<string, SecuritySchemeObject> };
}

export interface OpenApiOptions {
	info: { title: string; version: string; description?: string };
	servers?: { url: string; description?: string }[];
	securitySchemes?: Record<string, SecuritySchemeObject>;
	/** Security requirements of every operation whose pipelines use the named process (at any depth). */
	securityByProcess?: Record<string, SecurityRequirement[]>;
	/** The app's answers to classes of errors (`app.errorAnswers`): listed on every operation. */
	errorAnswers?: readonly ErrorAnswer[];
	/** The tag of an operation; by default the path's first segment. */
	tagOf?: (path: string) => string;
}

/** `GET /api/characters/{characterId}` → `getApiCharactersByCharacterId`: stable as long as the path is. */
export function operationIdOf(method: string, path: string): string {
	const words = path
		.split("/")
		.filter((segment) => segment !== "")
		.flatMap((segment) => {
			const param = /^\{(.+)\}$/.exec(segment);
			return param?.[1] !== undefined ? ["by", ...param[1].split(/[^A-Za-z0-9]+/)] : segment.split(/[^A-Za-z0-9]+/);
		})
		.filter((word) => word !== "");
	return method.toLowerCase() + words.map((word) => word[0]?.toUpperCase() + word.slice(1)).join("");
}

function defaultTagOf(path: string): string {
	return path.split("/").find((segment) => segment !== "" && !segment.startsWith("{")) ?? "root";
}

/** One extract part as an object schema: a per-key shape becomes `z.object(shape)`, like the extract step does. */
function partSchema(declared: ExtractSchema): z.ZodType {
	return isZodSchema(declared) ? declared : z.object(declared);
}

const parameterLocation: Partial<Record<ExtractPart, ParameterObject["in"]>> = {
	params: "path",
	query: "query",
	headers: "header",
	cookies: "cookie",
};
// OpenAPI ignores header parameters with these names: they are described by requestBody, security and responses.
const ignoredHeaders = new Set(["accept", "content-type", "authorization"]);

function parametersOf(path: string, route: RouteDefinition, converter: SchemaConverter): ParameterObject[] {
	const parameters: ParameterObject[] = [];
	const add = (parameter: ParameterObject) => {
		if (parameter.in === "header" && ignoredHeaders.has(parameter.name.toLowerCase())) return;
		if (parameters.some((one) => one.in === parameter.in && one.name === parameter.name)) return;
		parameters.push(parameter);
	};
	for (const { shape } of extractsOf(route)) {
		for (const part of extractParts) {
			const location = parameterLocation[part];
			const declared = shape[part];
			if (location === undefined || declared === undefined) continue;
			const json = converter.convert(partSchema(declared), "input");
			const properties = (json.properties ?? {}) as Record<string, JsonSchema>;
			const required = new Set((json.required ?? []) as string[]);
			for (const [name, schema] of Object.entries(properties)) {
				add({ name, in: location, required: location === "path" || required.has(name), schema });
			}
		}
	}
	// Path parameters nobody extracts still exist on the wire, as strings.
	for (const match of path.matchAll(/\{([^}]+)\}/g))
		add({ name: match[1] as string, in: "path", required: true, schema: { type: "string" } });
	// Declared by extract but absent from this path (a route with several paths): not a parameter of this one.
	return parameters.filter((parameter) => parameter.in !== "path" || path.includes(`{${parameter.name}}`));
}

function requestBodyOf(
	pipelines: readonly PipelineDefinition[],
	converter: SchemaConverter,
): OperationObject["requestBody"] {
	for (const pipeline of pipelines) {
		const multipart = pipeline.extract?.shape.multipart;
		if (multipart !== undefined) return multipartBodyOf(multipart, converter);
		const declared = pipeline.extract?.shape.body;
		if (declared === undefined) continue;
		const schema = partSchema(declared);
		return {
			required: !schema.safeParse(undefined).success,
			content: { "application/json": { schema: converter.convert(schema, "input") } },
		};
	}
	return undefined;
}

/**
 * A multipart body: an object whose file fields are binary strings (arrays of them when a field takes several
 * files), with their accepted types as `encoding`, and whose ordinary fields are described by their schemas.
 */
function multipartBodyOf(multipart: AnyMultipart, converter: SchemaConverter): OperationObject["requestBody"] {
	const fields = converter.convert(z.object(multipart.fields), "input");
	const properties: Record<string, JsonSchema> = {};
	const required: string[] = [];
	const encoding: Record<string, { contentType: string }> = {};
	for (const file of multipart.files) {
		const binary: JsonSchema = {
			type: "string",
			format: "binary",
			description: `At most ${file.maxBytes} bytes, of type ${file.types.join(", ")} (recognised from the content).`,
		};
		properties[file.name] =
			file.maxCount === 1
				? binary
				: { type: "array", items: binary, maxItems: file.maxCount, ...(file.required ? { minItems: 1 } : {}) };
		if (file.required) required.push(file.name);
		encoding[file.name] = { contentType: file.types.join(", ") };
	}
	Object.assign(properties, fields.properties ?? {});
	required.push(...((fields.required ?? []) as string[]));
	const schema: JsonSchema = { type: "object", properties };
	if (required.length > 0) schema.required = required;
	return { required: required.length > 0, content: { [multipartMediaType]: { schema, encoding } } };
}

function responsesOf(
	route: RouteDefinition,
	converter: SchemaConverter,
	errorAnswers: readonly ErrorAnswer[],
): Record<string, ResponseObject> {
	const byCode = new Map<number, DeclaredResponse[]>();
	for (const response of declaredResponses(route, errorAnswers))
		byCode.set(response.code, [...(byCode.get(response.code) ?? []), response]);
	const responses: Record<string, ResponseObject> = {};
	for (const code of [...byCode.keys()].sort((a, b) => a - b)) {
		const entries = byCode.get(code) as DeclaredResponse[];
		const infos = [...new Set(entries.map((entry) => entry.info))];
		const schemas = [
			...new Set(entries.map((entry) => entry.schema).filter((schema): schema is z.ZodType => schema !== undefined)),
		];
		const withoutBody = [...new Set(entries.filter((entry) => entry.schema === undefined).map((entry) => entry.info))];
		const lines = infos.map((info) => `- \`${info}\``);
		if (schemas.length > 0 && withoutBody.length > 0)
			lines.push("", `No declared body: ${withoutBody.map((info) => `\`${info}\``).join(", ")}.`);
		const response: ResponseObject = {
			description: lines.join("\n"),
			headers: { info: { description: "The outcome, machine-readable.", schema: { type: "string", enum: infos } } },
			"x-infos": infos,
		};
		for (const entry of entries) {
			for (const name of entry.headers ?? [])
				(response.headers as NonNullable<ResponseObject["headers"]>)[name] = {
					description: `Sent with \`${entry.info}\`.`,
					schema: { type: "string" },
				};
		}
		const stream = entries.find((entry) => entry.eventStream !== undefined)?.eventStream;
		if (stream !== undefined) {
			// OpenAPI 3.1 has no way to type the events of a stream: the body is text, and each event's `data` is given
			// as `x-event-schema` (and described in words) for readers and generators that understand it.
			response.content = {
				"text/event-stream": {
					schema: { type: "string", description: "Server-sent events: `id:`, `event:` and `data:` lines." },
					...(stream.eventSchema === undefined
						? {}
						: { "x-event-schema": converter.convert(stream.eventSchema, "output") }),
				},
			};
		} else if (schemas.length > 0) {
			// Distinct bodies once each (the framework's `{ error, message }` and a route's refusals convert alike); `anyOf`
			// rather than `oneOf`: bodies of one code may overlap, and a body that fits two of them is still valid.
			const converted = [
				...new Map(
					schemas.map((schema) => converter.convert(schema, "output")).map((json) => [JSON.stringify(json), json]),
				).values(),
			];
			response.content = {
				"application/json": { schema: converted.length === 1 ? (converted[0] as JsonSchema) : { anyOf: converted } },
			};
		}
		responses[String(code)] = response;
	}
	return responses;
}

function securityOf(route: RouteDefinition, options: OpenApiOptions): SecurityRequirement[] | undefined {
	const byProcess = options.securityByProcess;
	if (byProcess === undefined) return undefined;
	const requirements: SecurityRequirement[] = [];
	let optional = false;
	const skippable = skippableProcesses(route);
	for (const name of processesUsed(route)) {
		const declared = byProcess[name];
		if (declared === undefined) continue;
		for (const requirement of declared)
			if (!requirements.some((one) => JSON.stringify(one) === JSON.stringify(requirement)))
				requirements.push(requirement);
		if (skippable.has(name)) optional = true;
	}
	if (requirements.length === 0) return undefined;
	// `{}` in the list: the operation also answers without credentials.
	return optional ? [...requirements, {}] : requirements;
}

/** The OpenAPI 3.1 document of a set of routes. HEAD, implicit for every GET route, is not listed. */
export function generateOpenApi(routes: readonly RouteDefinition[], options: OpenApiOptions): OpenApiDocument {
	const converter = new SchemaConverter();
	const tagOf = options.tagOf ?? defaultTagOf;
	const paths: OpenApiDocument["paths"] = {};
	const tags = new Set<string>();
	const operationIds = new Set<string>();
	for (const route of routes) {
		for (const path of route.paths) {
			let operationId = operationIdOf(route.method, path);
			// Two paths that only differ by punctuation would collide: number the later ones.
			for (let n = 2; operationIds.has(operationId); n++) operationId = `${operationIdOf(route.method, path)}${n}`;
			operationIds.add(operationId);
			const tag = tagOf(path);
			tags.add(tag);
			const operation: OperationObject = {
				operationId,
				tags: [tag],
				summary: `${route.method} ${path}`,
				responses: responsesOf(route, converter, options.errorAnswers ?? []),
			};
			const parameters = parametersOf(path, route, converter);
			if (parameters.length > 0) operation.parameters = parameters;
			const requestBody = requestBodyOf(route.pipelines, converter);
			if (requestBody !== undefined) operation.requestBody = requestBody;
			const security = securityOf(route, options);
			if (security !== undefined) operation.security = security;
			paths[path] ??= {};
			(paths[path] as Record<string, OperationObject>)[route.method.toLowerCase()] = operation;
		}
	}
	const document: OpenApiDocument = {
		openapi: "3.1.0",
		info: options.info,
		tags: [...tags].sort().map((name) => ({ name })),
		paths,
		components: { schemas: converter.components },
	};
	if (options.servers !== undefined) document.servers = options.servers;
	if (options.securitySchemes !== undefined) document.components.securitySchemes = options.securitySchemes;
	return document;
}
