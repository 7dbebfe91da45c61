// Shared answer shapes: the `{ error, message }` body of every refusal and the zod schemas contracts declare.
import { z } from "zod";
import { IHaveSentThis, type Response } from "./core/index.js";

export const errorBodySchema = z.object({ error: z.string(), message: z.string() });

/**
 * Sends a refusal: the info goes both in the `info` header and in the body's `error`. Always ends
 * the step, handlers included: there `send()` returns (a core fast path) although it is typed
 * `never`, so the response signal is thrown here, as every other step's `send()` does.
 */
export function fail(response: Response, code: number, info: string, message: string): never {
	response.code(code).info(info).send({ error: info, message });
	throw response;
}

/** Declares refusals with the shared error body: `refusal(404, "guild.notfound")`. */
export function refusal(code: number, info: string | readonly string[]): IHaveSentThis {
	return new IHaveSentThis(code, info, errorBodySchema);
}
