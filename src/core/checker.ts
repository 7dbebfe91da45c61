// Checkers: small named, typed functions that answer an info (`user.exist` / `user.notfound`) with data;
// preset checkers bundle one with the expected result, the answer to the others and its contracts.
import { isSendableAnswer, type SendableAnswer } from "./answer.js";
import type { Contract } from "./contracts.js";
import { DeclarationError } from "./errors.js";
import type { Response } from "./response.js";

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
	handler<Input, Output extends CheckerOutput>(
		handler: CheckerHandler<Input, Output, Options>,
	): Checker<Input, Output, Options>;
}

export function createChecker(name: string): CheckerBuilder<object> {
	if (name === "") throw new DeclarationError("createChecker needs a name.");
	const builder = (defaultOptions: object): CheckerBuilder<any> => ({
		options: (defaults) => builder(defaults),
		handler: (handler) => ({ kind: "checker", name, defaultOptions, handler }),
	});
	return builder({});
}

type ResultInfos<Result, All> = Result extends readonly (infer I)[] ? I : Result extends string ? Result : All;

/**
 * A checker with its `result`, `catch`, `indexing`, options and contracts decided once, for the many
 * routes that use it the same way: `.presetCheck(gameAccountFound, (pickup) => pickup("accountId"))`.
 */
export interface PresetChecker<
	C extends AnyChecker = AnyChecker,
	Result = unknown,
	Index extends string | undefined = string | undefined,
> {
	readonly kind: "presetChecker";
	readonly checker: C;
	readonly result: Result;
	readonly catch: (response: Response, info: string, data: unknown) => unknown;
	readonly indexing: Index;
	readonly options: object | undefined;
	readonly responses: readonly Contract[];
}

export type AnyPresetChecker = PresetChecker<AnyChecker, unknown, string | undefined>;
export type PresetInput<P> = P extends PresetChecker<infer C, any, any> ? CheckerInput<C> : never;
export type PresetIndex<P> = P extends PresetChecker<any, any, infer I> ? I : never;
/** What a preset drops under its `indexing`: the data of its expected infos. */
export type PresetData<P> =
	P extends PresetChecker<infer C, infer R, any> ? CheckerData<C, ResultInfos<R, CheckerInfo<C>>> : never;

export function createPresetChecker<
	C extends AnyChecker,
	const Result extends CheckerInfo<C> | readonly CheckerInfo<C>[],
	const Index extends string | undefined = undefined,
	const R extends readonly Contract[] = [],
>(
	checker: C,
	params: {
		/** The info (or infos) that let the request go on. */
		readonly result: Result;
		/**
		 * Answers any other info: a function that sends, or a declared answer (`refusal(404, …)`), which is
		 * then sent and declared by the preset (no separate contract needed).
		 */
		readonly catch:
			| ((
					response: Response<R[number]>,
					info: Exclude<CheckerInfo<C>, ResultInfos<Result, never>>,
					data: CheckerData<C, Exclude<CheckerInfo<C>, ResultInfos<Result, never>>>,
			  ) => void)
			| SendableAnswer;
		/** Where the data of an expected result goes on the route's floor. */
		readonly indexing?: Index;
		readonly options?: Partial<CheckerOptions<C>>;
	},
	...responses: R
): PresetChecker<C, Result, Index> {
	if (checker?.kind !== "checker") throw new DeclarationError("createPresetChecker needs a checker.");
	const given = params?.catch;
	if (isSendableAnswer(given)) {
		return {
			kind: "presetChecker",
			checker,
			result: params.result,
			catch: (response: Response) => given.send(response),
			indexing: params.indexing as Index,
			options: params.options,
			responses: [given, ...responses],
		};
	}
	if (typeof given !== "function")
		throw new DeclarationError(`createPresetChecker(${checker.name}): catch must be a function or a declared answer.`);
	return {
		kind: "presetChecker",
		checker,
		result: params.result,
		catch: given as unknown as PresetChecker["catch"],
		indexing: params.indexing as Index,
		options: params.options,
		responses,
	};
}
