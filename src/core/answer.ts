// Declared answers as values: one definition (code, info, body schema, default message) that a step both
// sends and declares, so an answer is never written twice and its body is typed from its schema.
import type { z } from "zod";
import { frameworkErrorBodySchema, IHaveSentThis } from "./contracts.js";
import { DeclarationError } from "./errors.js";
import type { Response } from "./response.js";

/** The `{ error, message }` body of a refusal: `error` repeats the info, `message` is for people. */
export interface RefusalBody<Info extends string = string> {
	error: Info;
	message: string;
}

/** What a body may be: the schema's input, read-only at every level (sending never mutates it). */
type ReadonlyDeep<T> = T extends (infer U)[]
	? readonly ReadonlyDeep<U>[]
	: T extends Date
		? T
		: T extends object
			? { readonly [K in keyof T]: ReadonlyDeep<T[K]> }
			: T;
type BodyArgument<Schema> = Schema extends z.ZodType ? [body: ReadonlyDeep<z.input<Schema>>] : [];

/**
 * A success (or any answer with its own body): `answer(201, "character.created", characterBody)`.
 * `.send(response, body)` sends it, the body typed from the schema; listed among a step's contracts,
 * it declares it (it is a contract).
 */
export class Answer<
	Code extends number = number,
	Info extends string = string,
	Schema extends z.ZodType | undefined = z.ZodType | undefined,
> extends IHaveSentThis<Code, Info, Schema> {
	readonly info: Info;

	constructor(code: Code, info: Info, schema?: Schema, options: { methods?: readonly string[] } = {}) {
		super(code, info, schema, options);
		this.info = info;
	}

	/**
	 * Sends this answer; ends the step (like `response.send`). It compiles only with the response of a
	 * step that declares this answer.
	 */
	send(response: Response<Answer<Code, Info, Schema>>, ...body: BodyArgument<Schema>): never {
		return (response as Response).code(this.code).info(this.info).send(body[0]);
	}

	/**
	 * The handler's throw-free way to answer (see `Response#respond`): `return found.respond(response, body)`.
	 * Only in handlers, and only when the handler returns what it gives.
	 */
	respond<R extends Response<Answer<Code, Info, Schema>>>(response: R, ...body: BodyArgument<Schema>): R {
		(response as unknown as Response).code(this.code).info(this.info).respond(body[0]);
		return response;
	}
}

/**
 * A refusal with the `{ error, message }` body: `refusal(404, "character.notfound", "No such character.")`.
 * `.send(response)` sends the default message, `.send(response, "…")` another one.
 */
export class Refusal<Code extends number = number, Info extends string = string> extends IHaveSentThis<
	Code,
	Info,
	z.ZodType<RefusalBody<Info>>
> {
	readonly info: Info;

	constructor(
		code: Code,
		info: Info,
		readonly message: string,
		schema: z.ZodType<RefusalBody<Info>>,
	) {
		super(code, info, schema);
		this.info = info;
	}

	/**
	 * Sends this refusal; ends the step (like `response.send`). It compiles only with the response of a
	 * step that declares this refusal.
	 */
	send(response: Response<Refusal<Code, Info>>, message: string = this.message): never {
		return (response as Response).code(this.code).info(this.info).send({ error: this.info, message });
	}
}

export function answer<
	const Code extends number,
	const Info extends string,
	Schema extends z.ZodType | undefined = undefined,
>(code: Code, info: Info, schema?: Schema): Answer<Code, Info, Schema> {
	checkAnswer(code, info, "answer");
	return new Answer(code, info, schema);
}

/** Makes `refusal()` for one body schema; the core's `refusal` uses `{ error: string, message: string }`. */
export function refusalWith(schema: z.ZodType<RefusalBody>) {
	return <const Code extends number, const Info extends string>(code: Code, info: Info, message: string) => {
		checkAnswer(code, info, "refusal");
		if (code < 400) throw new DeclarationError(`refusal(${code}, "${info}"): a refusal is a 4xx or 5xx answer.`);
		if (typeof message !== "string" || message === "")
			throw new DeclarationError(`refusal(${code}, "${info}"): give the message people read.`);
		return new Refusal<Code, Info>(code, info, message, schema as z.ZodType<RefusalBody<Info>>);
	};
}

/** An answer that can send itself without a body: a refusal, or an answer declared without a schema. */
export interface SendableAnswer extends IHaveSentThis {
	send(response: Response): never;
}

export function isSendableAnswer(value: unknown): value is SendableAnswer {
	return value instanceof Refusal || (value instanceof Answer && value.schema === undefined);
}

function checkAnswer(code: number, info: string, what: string): void {
	if (!Number.isInteger(code) || code < 100 || code > 599)
		throw new DeclarationError(`${what}(${code}): the code must be an HTTP status (100-599).`);
	if (typeof info !== "string" || info === "")
		throw new DeclarationError(`${what}(${code}): the info must be a non-empty string.`);
}

/** A refusal with the `{ error, message }` body: `refusal(404, "character.notfound", "No such character.")`. */
export const refusal = refusalWith(frameworkErrorBodySchema);
