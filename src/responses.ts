// Shared answer shapes: the `{ error, message }` body of every refusal and the zod schemas contracts declare.
import { errorBodySchema, IHaveSentThis, type Response } from "./core/index.js";

/** The core's `{ error, message }` schema: one identity, so both ways of declaring a refusal list it once. */
export { errorBodySchema };

/** Sends a refusal (ending the step): the info goes both in the `info` header and in the body's `error`. */
export function fail(response: Response, code: number, info: string, message: string): never {
	return response.code(code).info(info).send({ error: info, message });
}

/** Declares refusals with the shared error body: `refusal(404, "guild.notfound")`. */
export function refusal(code: number, info: string | readonly string[]): IHaveSentThis {
	return new IHaveSentThis(code, info, errorBodySchema);
}
