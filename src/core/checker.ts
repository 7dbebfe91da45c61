// Checkers: small named, typed functions that answer an info (`user.exist` / `user.notfound`) with data.
import { DeclarationError } from "./errors.js";

export interface CheckerOutput<I extends string = string, D = unknown> {
	readonly info: I;
	readonly data: D;
}

/** Builds a checker's answer: `output("user.exist", user)`. */
export type CheckerOutputFunction = <const I extends string, D = undefined>(info: I, data?: D) => CheckerOutput<I, D>;

export const checkerOutput: CheckerOutputFunction = (info, data) => ({ info, data }) as CheckerOutput<never, never>;

export type CheckerHandler<Input, Output extends CheckerOutput, Options> = (
	input: Input,
	output: CheckerOutputFunction,
	options: Options,
) => Output | Promise<Output>;

export interface Checker<Input = any, Output extends CheckerOutput = CheckerOutput, Options extends object = object> {
	readonly kind: "checker";
	readonly name: string;
	readonly defaultOptions: Options;
	readonly handler: CheckerHandler<Input, Output, Options>;
}

export type AnyChecker = Checker<any, CheckerOutput, any>;
export type CheckerInput<C> = C extends Checker<infer I, CheckerOutput, any> ? I : never;
export type CheckerResult<C> = C extends Checker<any, infer O, any> ? O : never;
export type CheckerInfo<C> = CheckerResult<C>["info"];
export type CheckerOptions<C> = C extends Checker<any, CheckerOutput, infer O> ? O : never;
/** The data a checker answers with for the given infos. */
export type CheckerData<C, I> = Extract<CheckerResult<C>, { info: I }>["data"];

export interface CheckerBuilder<Options extends object> {
	/** Default options, merged with (and overridden by) the options of each `check` step. */
	options<O extends object>(defaults: O): CheckerBuilder<O>;
	handler<Input, Output extends CheckerOutput>(handler: CheckerHandler<Input, Output, Options>): Checker<Input, Output, Options>;
}

export function createChecker(name: string): CheckerBuilder<object> {
	if (name === "") throw new DeclarationError("createChecker needs a name.");
	const builder = (defaultOptions: object): CheckerBuilder<any> => ({
		options: (defaults) => builder(defaults),
		handler: (handler) => ({ kind: "checker", name, defaultOptions, handler }),
	});
	return builder({});
}
