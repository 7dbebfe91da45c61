// Response contracts: what a step declares it may send (code, info, body schema).
import type { z } from "zod";

/**
 * Declares one response a step may send: `new IHaveSentThis(404, "user.notfound")`,
 * `new IHaveSentThis(200, "user.found", userSchema)`. `info` may list several infos sent with that code.
 */
export class IHaveSentThis<Code extends number = number, Info extends string = string, Schema extends z.ZodType | undefined = z.ZodType | undefined> {
	readonly infos: readonly Info[];

	constructor(
		readonly code: Code,
		info: Info | readonly Info[],
		readonly schema?: Schema,
	) {
		this.infos = typeof info === "string" ? [info] : info;
	}
}

export type Contract = IHaveSentThis<number, string, z.ZodType | undefined>;
