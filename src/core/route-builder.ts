// The typed builder shared by routes, processes and abstract routes, and the one runtime builder behind
// its types. The types enforce the order hook → extract → steps → terminal; both stay side by side so
// that they cannot drift apart.
import { isSendableAnswer, type SendableAnswer } from "./answer.js";
import type {
	AnyChecker,
	AnyPresetChecker,
	CheckerData,
	CheckerInfo,
	CheckerInput,
	CheckerOptions,
	PresetData,
	PresetIndex,
	PresetInput,
} from "./checker.js";
import type { Contract } from "./contracts.js";
import { DeclarationError } from "./errors.js";
import type { ExtractErrorHandler, ExtractedFloor, ExtractPart, ExtractShape } from "./extract.js";
import type { Floor, Pickup } from "./floor.js";
import { emptyHookLists, type RouteHookName, type RouteHooks, routeHookNames } from "./hooks.js";
import type { Request } from "./request.js";
import type { AllowedAnswer, Response } from "./response.js";
import type {
	AbstractRoute,
	AnyPickup,
	AnyProcess,
	CheckStepDefinition,
	CutStepDefinition,
	PipelineDefinition,
	Process,
	ProcessDefinition,
	ProcessExports,
	ProcessInput,
	ProcessOptions,
	ProcessStepDefinition,
	RouteDefinition,
} from "./route-definition.js";

// ---------------------------------------------------------------------------------------------------
// Types of the builder.

/** Which terminal call ends the chain, and what it needs to know. */
export type BuilderContext =
	| { readonly kind: "route" }
	| { readonly kind: "process"; readonly input: unknown; readonly options: object }
	| { readonly kind: "abstract" };

/** Adds `key: value` to the floor, or nothing when there is no key. */
type Indexed<Key, Value> = Key extends string ? { [K in Key]: Value } : unknown;
type Infos<Result, All> = Result extends readonly (infer I)[] ? I : Result extends string ? Result : All;
type Options<O, F> = Partial<O> | ((pickup: Pickup<F>) => Partial<O>);
type NoExtraKeys<Given, Allowed extends PropertyKey> = { [K in Exclude<keyof Given, Allowed>]: never };
/** A body is read one way: as `body` or as `multipart`. */
type OneBody<E> = E extends { readonly multipart: object } ? { readonly body?: never } : unknown;

/** How a step runs: always, unless `skip` answers true, or only when its input is there (`optional: true`). */
export type StepMode = "always" | "skip" | "optional";
type ModeParams<F, Mode extends StepMode> = (Mode extends "skip"
	? {
			/** Skips the step when it answers true; what it would drop is then undefined. */
			readonly skip: (pickup: Pickup<F>) => boolean;
		}
	: { readonly skip?: undefined }) &
	(Mode extends "optional"
		? {
				/** Runs the step only when its input is not undefined; what it would drop is otherwise undefined. */
				readonly optional: true;
			}
		: { readonly optional?: false });
type ModeInput<T, Mode extends StepMode> = Mode extends "optional" ? T | undefined : T;

export type CheckParams<
	F,
	C extends AnyChecker,
	Result,
	Index,
	Mode extends StepMode,
	Declared extends AllowedAnswer = AllowedAnswer,
> = {
	/** The checker's input, taken from the floor. */
	readonly input: (pickup: Pickup<F>) => ModeInput<CheckerInput<C>, Mode>;
	/** The info (or infos) that let the request go on; any other info goes to `catch`. */
	readonly result?: Result;
	/** Where the checker's data goes on the floor when the result is the expected one. */
	readonly indexing?: Index;
	readonly options?: Options<CheckerOptions<C>, F>;
} & ModeParams<F, Mode> &
	(Result extends undefined
		? { readonly catch?: undefined }
		: {
				/** Answers any info but the expected ones: a function that sends, or a declared answer (sent and declared). */
				readonly catch:
					| ((
							response: Response<Declared>,
							info: Exclude<CheckerInfo<C>, Infos<Result, CheckerInfo<C>>>,
							data: CheckerData<C, Exclude<CheckerInfo<C>, Infos<Result, CheckerInfo<C>>>>,
							pickup: Pickup<F>,
					  ) => void)
					| SendableAnswer;
			});

export type ProcessParams<F, P extends AnyProcess, Keys, Mode extends StepMode> = {
	/** Keys of the process floor brought into this floor. */
	readonly pickup?: Keys;
	readonly options?: Options<ProcessOptions<P>, F>;
} & ModeParams<F, Mode> &
	(Mode extends "optional"
		? { readonly input: (pickup: Pickup<F>) => ProcessInput<P> | undefined }
		: undefined extends ProcessInput<P>
			? { readonly input?: (pickup: Pickup<F>) => ProcessInput<P> }
			: { readonly input: (pickup: Pickup<F>) => ProcessInput<P> });

export interface StepMethods<F extends object, Ctx extends BuilderContext> {
	/** Runs a checker; on the expected `result` drops its data under `indexing`, otherwise calls `catch`. */
	check<
		C extends AnyChecker,
		const Result extends CheckerInfo<C> | readonly CheckerInfo<C>[] | undefined = undefined,
		const Index extends string | undefined = undefined,
		const R extends readonly Contract[] = [],
	>(
		checker: C,
		params: CheckParams<F, C, Result, Index, "always", R[number]>,
		...responses: R
	): Steps<F & Indexed<Index, CheckerData<C, Infos<Result, CheckerInfo<C>>>>, Ctx>;
	/** With `skip`, the data it would drop may be undefined. */
	check<
		C extends AnyChecker,
		const Result extends CheckerInfo<C> | readonly CheckerInfo<C>[] | undefined = undefined,
		const Index extends string | undefined = undefined,
		const R extends readonly Contract[] = [],
	>(
		checker: C,
		params: CheckParams<F, C, Result, Index, "skip", R[number]>,
		...responses: R
	): Steps<F & Indexed<Index, CheckerData<C, Infos<Result, CheckerInfo<C>>> | undefined>, Ctx>;

	/** With `optional: true`, it runs only when its input is not undefined; the data it would drop may be undefined. */
	check<
		C extends AnyChecker,
		const Result extends CheckerInfo<C> | readonly CheckerInfo<C>[] | undefined = undefined,
		const Index extends string | undefined = undefined,
		const R extends readonly Contract[] = [],
	>(
		checker: C,
		params: CheckParams<F, C, Result, Index, "optional", R[number]>,
		...responses: R
	): Steps<F & Indexed<Index, CheckerData<C, Infos<Result, CheckerInfo<C>>> | undefined>, Ctx>;

	/** Runs a preset checker: its result, catch, indexing and contracts are the preset's; only the input is the route's. */
	presetCheck<P extends AnyPresetChecker>(
		preset: P,
		input: (pickup: Pickup<F>) => PresetInput<P>,
	): Steps<F & Indexed<PresetIndex<P>, PresetData<P>>, Ctx>;
	/** With `skip`, the data it would drop may be undefined. */
	presetCheck<P extends AnyPresetChecker>(
		preset: P,
		input: (pickup: Pickup<F>) => PresetInput<P>,
		params: { readonly skip: (pickup: Pickup<F>) => boolean },
	): Steps<F & Indexed<PresetIndex<P>, PresetData<P> | undefined>, Ctx>;
	/** With `optional: true`, runs only when the input is not undefined; the data it would drop may be undefined. */
	presetCheck<P extends AnyPresetChecker>(
		preset: P,
		input: (pickup: Pickup<F>) => PresetInput<P> | undefined,
		params: { readonly optional: true },
	): Steps<F & Indexed<PresetIndex<P>, PresetData<P> | undefined>, Ctx>;

	/** A one-off step: returns an object whose listed keys are dropped on the floor; may send to stop. */
	cut<
		// biome-ignore lint/suspicious/noConfusingVoidType: a cut that drops nothing returns void, and TypeScript infers void, not undefined.
		Result extends object | void,
		const Keys extends readonly string[] = [],
		const R extends readonly Contract[] = [],
	>(
		cut: (floor: Floor<F>, response: Response<R[number]>, request: Request) => Result | Promise<Result>,
		drop?: Keys & readonly (keyof Result & string)[],
		...responses: R
	): Steps<F & { [K in Keys[number]]: K extends keyof Result ? Result[K] : never }, Ctx>;

	/** Runs a process (a reusable sub-pipeline with its own floor) and picks up some of the keys it built. */
	process<P extends AnyProcess, const Keys extends readonly (keyof ProcessExports<P> & string)[] = []>(
		process: P,
		params?: ProcessParams<F, P, Keys, "always">,
		...responses: Contract[]
	): Steps<F & { [K in Keys[number]]: ProcessExports<P>[K] }, Ctx>;
	/** With `skip`, what it brings back may be undefined. */
	process<P extends AnyProcess, const Keys extends readonly (keyof ProcessExports<P> & string)[] = []>(
		process: P,
		params: ProcessParams<F, P, Keys, "skip">,
		...responses: Contract[]
	): Steps<F & { [K in Keys[number]]: ProcessExports<P>[K] | undefined }, Ctx>;
	/** With `optional: true`, it runs only when its input is not undefined; what it brings back may be undefined. */
	process<P extends AnyProcess, const Keys extends readonly (keyof ProcessExports<P> & string)[] = []>(
		process: P,
		params: ProcessParams<F, P, Keys, "optional">,
		...responses: Contract[]
	): Steps<F & { [K in Keys[number]]: ProcessExports<P>[K] | undefined }, Ctx>;
}

export interface StartMethods<F extends object, Ctx extends BuilderContext> {
	/** Adds a hook local to this route (or to every route using this process / abstract route). */
	hook<N extends RouteHookName>(name: N, hook: RouteHooks[N]): Start<F, Ctx>;
	/** Validates parts of the request with zod; at most once, before any other step. */
	extract<const E extends ExtractShape>(
		shape: E & NoExtraKeys<E, ExtractPart | "multipart"> & OneBody<E>,
		onError?: ExtractErrorHandler,
	): Steps<F & ExtractedFloor<E>, Ctx>;
}

export interface RouteTerminal<F extends object> {
	/**
	 * The last step: it must send, and only what it declares (the answers listed after it): its
	 * `response` takes no other. Declaring the handler registers the route.
	 */
	handler<const R extends readonly Contract[] = []>(
		handler: (floor: Floor<F>, response: Response<R[number]>, request: Request) => unknown,
		...responses: R
	): RouteDefinition;
}

export interface ProcessTerminal<F extends object, Input, Opts extends object> {
	/** Ends the process; the listed floor keys may be picked up by the routes that use it. */
	build<const Keys extends readonly (keyof F & string)[] = []>(
		exports?: Keys,
		...responses: Contract[]
	): Process<Input, Opts, { [K in Keys[number]]: F[K] }>;
}

export interface AbstractTerminal<F extends object> {
	/** Ends the abstract route; the listed floor keys are visible to the routes declared from it. */
	build<const Keys extends readonly (keyof F & string)[] = []>(
		exports?: Keys,
	): AbstractRoute<{ [K in Keys[number]]: F[K] }>;
}

type Terminal<F extends object, Ctx extends BuilderContext> = Ctx extends { kind: "route" }
	? RouteTerminal<F>
	: Ctx extends { kind: "process"; input: infer I; options: infer O extends object }
		? ProcessTerminal<F, I, O>
		: AbstractTerminal<F>;

export type Steps<F extends object, Ctx extends BuilderContext> = StepMethods<F, Ctx> & Terminal<F, Ctx>;
export type Start<F extends object, Ctx extends BuilderContext> = StartMethods<F, Ctx> & Steps<F, Ctx>;

/** Floor given to a route declared from an abstract route, and what the route builder starts from. */
export type RouteBuilder<F extends object = object> = Start<F, { kind: "route" }>;

// ---------------------------------------------------------------------------------------------------
// The one runtime builder behind all those types.

export interface BuilderTerminals {
	handler?: (pipeline: PipelineDefinition, handler: RouteDefinition["handler"], responses: Contract[]) => unknown;
	build?: (
		pipeline: PipelineDefinition,
		exports: readonly string[],
		responses: Contract[],
		settings: { options: object; oncePerRequest: boolean },
	) => unknown;
}

/** Validates `optional`: a flag, and never together with `skip` (one rule decides whether a step runs). */
function checkOptional(where: string, params: { skip?: unknown; optional?: unknown }): boolean {
	if (params.optional === undefined || params.optional === false) return false;
	if (params.optional !== true) throw new DeclarationError(`${where}: optional must be true or false.`);
	if (params.skip !== undefined) throw new DeclarationError(`${where}: give either skip or optional, not both.`);
	return true;
}

export class PipelineBuilder {
	readonly pipeline: PipelineDefinition = { hooks: emptyHookLists(), extract: undefined, steps: [] };
	/** Defaults of a process's options (processes only). */
	defaultOptions: object = {};
	/** Processes only: whether `.input<T>()` was declared, and whether the process runs once per request. */
	private hasInput = false;
	private runsOncePerRequest = false;
	private stage: "start" | "steps" | "done" = "start";

	constructor(
		private readonly label: string,
		private readonly terminals: BuilderTerminals,
	) {}

	private expect(allowed: "start" | "steps", call: string): void {
		if (this.stage === "done")
			throw new DeclarationError(`${this.label}: .${call}() after the declaration was closed.`);
		if (allowed === "start" && this.stage !== "start") {
			throw new DeclarationError(`${this.label}: .${call}() must come before extract, checks, cuts and processes.`);
		}
	}

	options(defaults: object): this {
		this.expect("start", "options");
		this.defaultOptions = defaults;
		return this;
	}

	input(): this {
		this.expect("start", "input");
		this.hasInput = true;
		return this;
	}

	oncePerRequest(): this {
		this.expect("start", "oncePerRequest");
		this.runsOncePerRequest = true;
		return this;
	}

	hook(name: RouteHookName, hook: (...args: never[]) => unknown): this {
		this.expect("start", "hook");
		if (!routeHookNames.includes(name)) throw new DeclarationError(`${this.label}: unknown hook "${name}".`);
		if (typeof hook !== "function") throw new DeclarationError(`${this.label}: hook "${name}" must be a function.`);
		(this.pipeline.hooks[name] as unknown[]).push(hook);
		return this;
	}

	extract(shape: ExtractShape, onError?: ExtractErrorHandler): this {
		this.expect("start", "extract");
		this.pipeline.extract = { shape, onError };
		this.stage = "steps";
		return this;
	}

	check(
		checker: AnyChecker,
		params: Omit<CheckStepDefinition, "kind" | "checker" | "responses" | "optional" | "catch"> & {
			optional?: boolean;
			catch?: CheckStepDefinition["catch"] | SendableAnswer;
		},
		...given: Contract[]
	): this {
		// A declared answer as catch is sent by the step and declared by it.
		const declared = params?.catch;
		const catcher = isSendableAnswer(declared) ? (response: Response) => declared.send(response) : declared;
		const responses = isSendableAnswer(declared) ? [declared, ...given] : given;
		this.expect("steps", "check");
		const where = `${this.label}: check(${checker?.name ?? "?"})`;
		if (checker?.kind !== "checker") throw new DeclarationError(`${where}: the first argument is not a checker.`);
		if (typeof params?.input !== "function") throw new DeclarationError(`${where}: input must be a function.`);
		if (params.result !== undefined && typeof catcher !== "function") {
			throw new DeclarationError(`${where}: a result needs a catch function.`);
		}
		this.pipeline.steps.push({
			kind: "check",
			checker,
			input: params.input,
			result: params.result,
			catch: catcher,
			indexing: params.indexing,
			options: params.options,
			skip: params.skip,
			optional: checkOptional(where, params),
			responses,
		});
		this.stage = "steps";
		return this;
	}

	presetCheck(
		preset: AnyPresetChecker,
		input: (pickup: AnyPickup) => unknown,
		params: { skip?: (pickup: AnyPickup) => boolean; optional?: boolean } = {},
	): this {
		if (preset?.kind !== "presetChecker")
			throw new DeclarationError(`${this.label}: presetCheck() needs a preset checker (createPresetChecker).`);
		return this.check(
			preset.checker,
			{
				input,
				result: preset.result as string | readonly string[],
				catch: preset.catch,
				indexing: preset.indexing,
				options: preset.options,
				skip: params.skip,
				optional: params.optional,
			},
			...preset.responses,
		);
	}

	cut(cut: CutStepDefinition["cut"], drop: readonly string[] = [], ...responses: Contract[]): this {
		this.expect("steps", "cut");
		if (typeof cut !== "function") throw new DeclarationError(`${this.label}: cut needs a function.`);
		this.pipeline.steps.push({ kind: "cut", cut, drop, responses });
		this.stage = "steps";
		return this;
	}

	process(
		process: ProcessDefinition,
		params: Partial<Omit<ProcessStepDefinition, "kind" | "process" | "responses">> = {},
		...responses: Contract[]
	): this {
		this.expect("steps", "process");
		if (process?.kind !== "process") throw new DeclarationError(`${this.label}: process() needs a process.`);
		const pickup = params.pickup ?? [];
		for (const key of pickup) {
			if (!process.exports.includes(key)) {
				throw new DeclarationError(
					`${this.label}: process ${process.name} does not build "${key}" (it builds ${process.exports.join(", ") || "nothing"}).`,
				);
			}
		}
		this.pipeline.steps.push({
			kind: "process",
			process,
			input: params.input,
			options: params.options,
			pickup,
			skip: params.skip,
			optional: checkOptional(`${this.label}: process(${process.name})`, params),
			responses,
		});
		this.stage = "steps";
		return this;
	}

	handler(handler: RouteDefinition["handler"], ...responses: Contract[]): unknown {
		if (this.terminals.handler === undefined) throw new DeclarationError(`${this.label}: only routes have a handler.`);
		if (typeof handler !== "function") throw new DeclarationError(`${this.label}: handler must be a function.`);
		this.expect("steps", "handler");
		this.stage = "done";
		return this.terminals.handler(this.pipeline, handler, responses);
	}

	build(exports: readonly string[] = [], ...responses: Contract[]): unknown {
		if (this.terminals.build === undefined)
			throw new DeclarationError(`${this.label}: routes end with handler(), not build().`);
		this.expect("steps", "build");
		this.stage = "done";
		if (this.runsOncePerRequest && this.hasInput) {
			throw new DeclarationError(
				`${this.label}: a process that runs once per request cannot take an input (its first result would answer every input).`,
			);
		}
		return this.terminals.build(this.pipeline, exports, responses, {
			options: this.defaultOptions,
			oncePerRequest: this.runsOncePerRequest,
		});
	}
}
