// The extract step: validates parts of the request with zod and drops the results on the floor.
import { z } from "zod";
import { DeclarationError, FrameworkInfo, NoResponseSentError } from "./errors.js";
import type { RuntimeFloor } from "./floor.js";
import { type AnyMultipart, Multipart, type MultipartFloor } from "./multipart.js";
import type { Request } from "./request.js";
import type { Response } from "./response.js";

export const extractParts = ["params", "query", "headers", "cookies", "body"] as const;
export type ExtractPart = (typeof extractParts)[number];

/** One zod schema for a whole part (dropped under the part's name), or one schema per key (dropped under each key). */
export type ExtractSchema = z.ZodType | { readonly [key: string]: z.ZodType };
export type ExtractShape = { readonly [P in ExtractPart]?: ExtractSchema } & {
	/** A multipart/form-data body (`multipart({...})`), instead of `body`: its files and fields are dropped one by one. */
	readonly multipart?: AnyMultipart;
};
/** What an extract error is about: a part of the request, or the multipart body's fields. */
export type ExtractErrorPart = ExtractPart | "multipart";

type PartFloor<P extends string, S> = S extends z.ZodType
	? { [K in P]: z.output<S> }
	: S extends { readonly [key: string]: z.ZodType }
		? { [K in keyof S]: z.output<S[K]> }
		: unknown;

type Part<E, P extends ExtractPart> = E extends { readonly [K in P]: infer S } ? PartFloor<P, S> : unknown;

/** What an extract shape drops on the floor. */
export type ExtractedFloor<E extends ExtractShape> = Part<E, "params"> &
	Part<E, "query"> &
	Part<E, "headers"> &
	Part<E, "cookies"> &
	Part<E, "body"> &
	MultipartFloor<E extends { readonly multipart: infer M } ? M : undefined>;

/** Answers a failed extraction; it must send. Receives the part (`body`), the key when one schema per key was used, and the zod error. */
export type ExtractErrorHandler = (
	response: Response,
	part: ExtractErrorPart,
	key: string | undefined,
	error: z.ZodError,
) => void;

/**
 * The body of the default answer to bad input, declared once: the extract step's contracts carry it, so the
 * runtime check validates it and the OpenAPI document describes it on every operation that extracts.
 */
export const extractErrorBodySchema = z.object({
	error: z.literal(FrameworkInfo.typeError),
	/** `TYPE_ERROR.<part>[.<key>]`, as in the `info` header. */
	info: z.string(),
	issues: z.array(
		z.object({
			/** The part first (`body`, `query` …), then the path inside it. */
			path: z.array(z.union([z.string(), z.number()])),
			message: z.string(),
			/** zod's issue code: `invalid_type`, `too_big`, `invalid_format` … */
			code: z.string(),
		}),
	),
});

/** The default answer to bad input: 400, info `TYPE_ERROR.<part>[.<key>]`, and the issues in the body. */
export const defaultExtractErrorHandler: ExtractErrorHandler = (response, part, key, error) => {
	const info = key === undefined ? `${FrameworkInfo.typeError}.${part}` : `${FrameworkInfo.typeError}.${part}.${key}`;
	response
		.code(400)
		.info(info)
		.send({
			error: FrameworkInfo.typeError,
			info,
			issues: error.issues.map((issue) => ({
				path: [part, ...issue.path.map((segment) => (typeof segment === "symbol" ? String(segment) : segment))],
				message: issue.message,
				code: issue.code,
			})),
		});
};

interface CompiledPart {
	part: ExtractPart;
	schema: z.ZodType;
	/** Keys dropped one by one; undefined when the whole part is dropped under its name. */
	keys: string[] | undefined;
}

export function isZodSchema(value: unknown): value is z.ZodType {
	return value instanceof z.ZodType;
}

function compilePart(part: ExtractPart, declared: ExtractSchema): CompiledPart {
	if (isZodSchema(declared)) return { part, schema: declared, keys: undefined };
	const keys = Object.keys(declared);
	for (const key of keys) {
		if (!isZodSchema(declared[key])) throw new DeclarationError(`extract.${part}.${key} must be a zod schema.`);
	}
	return { part, schema: z.object(declared), keys };
}

function readPart(request: Request, part: ExtractPart): unknown {
	switch (part) {
		case "params":
			return request.params;
		case "query":
			return request.query;
		case "headers":
			return request.headers;
		case "cookies":
			return request.cookies;
		case "body":
			return request.body;
	}
}

export type ExtractStepFunction = (floor: RuntimeFloor, request: Request, response: Response) => void;

/** Builds the extract step of one route: parts are validated in declaration order and the first failure answers. */
export function compileExtract(shape: ExtractShape, onError: ExtractErrorHandler): ExtractStepFunction {
	const parts: CompiledPart[] = [];
	for (const part of Object.keys(shape) as ExtractPart[]) {
		if ((part as string) === "multipart") continue;
		if (!extractParts.includes(part)) {
			throw new DeclarationError(
				`extract: unknown part "${part}" (expected one of ${extractParts.join(", ")}, multipart).`,
			);
		}
		const declared = shape[part];
		if (declared !== undefined) parts.push(compilePart(part, declared));
	}
	checkMultipart(shape, parts);
	return (floor, request, response) => {
		for (let index = 0; index < parts.length; index++) {
			const compiled = parts[index] as CompiledPart;
			const result = compiled.schema.safeParse(readPart(request, compiled.part));
			if (!result.success) {
				const first = result.error.issues[0]?.path[0];
				const key = compiled.keys !== undefined && typeof first === "string" ? first : undefined;
				onError(response, compiled.part, key, result.error);
				throw new NoResponseSentError("The extract error handler");
			}
			const keys = compiled.keys;
			if (keys === undefined) {
				floor.drop(compiled.part, result.data);
			} else {
				const data = result.data as Record<string, unknown>;
				for (let k = 0; k < keys.length; k++) floor.drop(keys[k] as string, data[keys[k] as string]);
			}
		}
	};
}

/** A multipart declaration must be one, must not sit beside `body`, and drops keys no other part drops. */
function checkMultipart(shape: ExtractShape, parts: readonly CompiledPart[]): void {
	const declared = shape.multipart;
	if (declared === undefined) return;
	if (!(declared instanceof Multipart))
		throw new DeclarationError("extract.multipart must be made by multipart({ files, fields }).");
	if (shape.body !== undefined)
		throw new DeclarationError("extract: a route reads its body as body or as multipart, not both.");
	for (const key of declared.keys)
		for (const part of parts)
			if (part.keys?.includes(key))
				throw new DeclarationError(`extract: "${key}" is dropped by both ${part.part} and multipart.`);
}

/** The multipart declaration of a shape, when it reads a multipart body. */
export function extractsMultipart(shape: ExtractShape | undefined): AnyMultipart | undefined {
	return shape?.multipart;
}

/** True when the shape has zod parts (params, query, headers, cookies, body) to validate. */
export function extractsParts(shape: ExtractShape): boolean {
	return extractParts.some((part) => shape[part] !== undefined);
}

/** True when the shape reads the body, so the route must parse it. */
export function extractsBody(shape: ExtractShape | undefined): boolean {
	return shape !== undefined && shape.body !== undefined;
}
