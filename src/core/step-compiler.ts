// Compiles the steps of a pipeline (extract, body parser, checks, cuts, processes, handler) into
// specialised functions, and runs them synchronously until one returns a promise.
import { parseBody } from "./body.js";
import { type CheckerOutput, checkerOutput } from "./checker.js";
import { type Contract, extractContracts, forProcessOptions, frameworkContracts } from "./contracts.js";
import { NoResponseSentError } from "./errors.js";
import {
	compileExtract,
	defaultExtractErrorHandler,
	type ExtractErrorHandler,
	extractsBody,
	extractsMultipart,
	extractsParts,
} from "./extract.js";
import { createFloor, type Floor, type RuntimeFloor } from "./floor.js";
import { type HookLists, runHooks } from "./hooks.js";
import { type AnyMultipart, compileMultipartExtract } from "./multipart.js";
import { readMultipart } from "./multipart-reader.js";
import type { Request } from "./request.js";
import { type Response, responseSignal } from "./response.js";
import type {
	CheckStepDefinition,
	CutStepDefinition,
	PipelineDefinition,
	ProcessDefinition,
	ProcessStepDefinition,
	RouteDefinition,
} from "./route-definition.js";

export type StepFunction = (floor: RuntimeFloor, request: Request, response: Response) => unknown;

/** A compiled step and what it may send (null: not checked, e.g. hooks and custom extract error handlers). */
export interface CompiledStep {
	/** For messages: "check(userExist)", "the handler" ... */
	readonly name: string;
	readonly run: StepFunction;
	readonly contracts: readonly Contract[] | null;
}

export type Runner = (floor: RuntimeFloor, request: Request, response: Response) => void | Promise<void>;

/**
 * Runs a process's steps in order; synchronous until one returns a promise; stops after the step
 * that sent. Errors, and the response signal `send()` throws, propagate to the route's executor.
 */
export function makeRunner(steps: readonly StepFunction[]): Runner {
	const count = steps.length;
	const continueAsync = async (
		from: number,
		pending: Promise<unknown>,
		floor: RuntimeFloor,
		request: Request,
		response: Response,
	) => {
		await pending;
		for (let index = from + 1; index < count && !response.isSent; index++) {
			const result = (steps[index] as StepFunction)(floor, request, response);
			if (result instanceof Promise) await result;
		}
	};
	return (floor, request, response) => {
		for (let index = 0; index < count; index++) {
			const result = (steps[index] as StepFunction)(floor, request, response);
			if (result instanceof Promise) return continueAsync(index, result, floor, request, response);
			// A step whose own try/catch swallowed the response signal still ends the pipeline.
			if (response.isSent) return;
		}
	};
}

export class StepCompiler {
	private readonly processes = new Map<ProcessDefinition, { run: Runner; contracts: Contract[] }>();

	constructor(
		/** The app's answer to bad input, used by every extract without one of its own. */
		private readonly extractErrorHandler: ExtractErrorHandler,
		private readonly hooks: HookLists,
		private readonly bodyLimit: number,
	) {}

	pipelineSteps(pipeline: PipelineDefinition): CompiledStep[] {
		const steps: CompiledStep[] = [];
		const extract = pipeline.extract;
		if (extract !== undefined) {
			if (extractsBody(extract.shape))
				steps.push({ name: "the body parser", run: this.bodyStep(), contracts: frameworkContracts.body });
			// A custom answer to bad input may send anything: its responses are not checked against contracts.
			const custom =
				extract.onError ??
				(this.extractErrorHandler === defaultExtractErrorHandler ? undefined : this.extractErrorHandler);
			const multipart = extractsMultipart(extract.shape);
			// Request parts first: a bad path parameter is answered before a byte of the upload is read.
			if (multipart === undefined || extractsParts(extract.shape))
				steps.push({
					name: "extract",
					run: compileExtract(extract.shape, custom ?? defaultExtractErrorHandler),
					contracts: custom === undefined ? extractContracts(extract.shape) : null,
				});
			if (multipart !== undefined) {
				steps.push({
					name: "the multipart reader",
					run: this.multipartStep(multipart),
					contracts: frameworkContracts.multipart,
				});
				steps.push({
					name: "extract (multipart)",
					run: compileMultipartExtract(multipart, custom ?? defaultExtractErrorHandler),
					contracts: custom === undefined ? extractContracts(extract.shape) : null,
				});
			}
		}
		for (const step of pipeline.steps) {
			if (step.kind === "check")
				steps.push({ name: `check(${step.checker.name})`, run: this.checkStep(step), contracts: step.responses });
			else if (step.kind === "cut")
				steps.push({
					name: `cut #${pipeline.steps.indexOf(step) + 1}`,
					run: this.cutStep(step),
					contracts: step.responses,
				});
			else steps.push(this.processStep(step));
		}
		return steps;
	}

	private bodyStep(): StepFunction {
		const parsingHooks = this.hooks.parsingBody;
		const limit = this.bodyLimit;
		if (parsingHooks.length === 0) return (_floor, request, response) => parseBody(request, response, limit);
		return (_floor, request, response) => {
			if (request.bodyParsed) return;
			const pending = runHooks(parsingHooks, request, response);
			if (pending === undefined) return parseBody(request, response, limit);
			return pending.then(() => parseBody(request, response, limit));
		};
	}

	/** Like the body parser: the `parsingBody` hooks (which may refuse), then the reader. */
	private multipartStep(multipart: AnyMultipart): StepFunction {
		const parsingHooks = this.hooks.parsingBody;
		if (parsingHooks.length === 0) return (_floor, request, response) => readMultipart(request, response, multipart);
		return (_floor, request, response) => {
			if (request.bodyParsed) return;
			const pending = runHooks(parsingHooks, request, response);
			if (pending === undefined) return readMultipart(request, response, multipart);
			return pending.then(() => readMultipart(request, response, multipart));
		};
	}

	private checkStep(step: CheckStepDefinition): StepFunction {
		const { checker, input, indexing, skip, optional } = step;
		const handler = checker.handler;
		const catcher = step.catch;
		const accepted =
			step.result === undefined ? undefined : typeof step.result === "string" ? [step.result] : step.result;
		const dynamicOptions = typeof step.options === "function" ? step.options : undefined;
		const staticOptions =
			dynamicOptions === undefined ? { ...checker.defaultOptions, ...(step.options as object | undefined) } : undefined;
		const defaults = checker.defaultOptions;
		const where = `The catch of check(${checker.name})`;

		const apply = (output: CheckerOutput, floor: RuntimeFloor, response: Response): void => {
			if (accepted === undefined || accepted.includes(output.info)) {
				if (indexing !== undefined) floor.drop(indexing, output.data);
				return;
			}
			(catcher as NonNullable<typeof catcher>)(response, output.info, output.data, floor.pickup);
			throw new NoResponseSentError(where);
		};
		const applyLater = async (pending: Promise<CheckerOutput>, floor: RuntimeFloor, response: Response) =>
			apply(await pending, floor, response);

		return (floor, _request, response) => {
			if (skip?.(floor.pickup)) return;
			const value = input(floor.pickup);
			if (optional && value === undefined) return;
			const options = dynamicOptions === undefined ? staticOptions : { ...defaults, ...dynamicOptions(floor.pickup) };
			const output = handler(value, checkerOutput, options);
			if (output instanceof Promise) return applyLater(output, floor, response);
			apply(output, floor, response);
		};
	}

	private cutStep(step: CutStepDefinition): StepFunction {
		const { cut, drop } = step;
		if (drop.length === 0) return (floor, request, response) => cut(floor as Floor<any>, response, request);
		const dropKeys = (result: unknown, floor: RuntimeFloor) => {
			if (typeof result !== "object" || result === null) {
				throw new TypeError(
					`A cut declared to drop ${drop.join(", ")} returned ${result === null ? "null" : typeof result}, not an object.`,
				);
			}
			for (let index = 0; index < drop.length; index++) {
				const key = drop[index] as string;
				floor.drop(key, (result as Record<string, unknown>)[key]);
			}
		};
		const dropLater = async (pending: Promise<unknown>, floor: RuntimeFloor) => dropKeys(await pending, floor);
		return (floor, request, response) => {
			const result = cut(floor as Floor<any>, response, request);
			if (result instanceof Promise) return dropLater(result, floor);
			dropKeys(result, floor);
		};
	}

	/** A process compiled once per route: its runner, and everything it and its steps may send. */
	private compiledProcess(process: ProcessDefinition): { run: Runner; contracts: Contract[] } {
		let compiled = this.processes.get(process);
		if (compiled === undefined) {
			const steps = this.pipelineSteps(process.pipeline);
			const contracts = [...process.responses];
			for (const step of steps) if (step.contracts !== null) contracts.push(...step.contracts);
			compiled = { run: makeRunner(steps.map((step) => step.run)), contracts };
			this.processes.set(process, compiled);
		}
		return compiled;
	}

	private processStep(step: ProcessStepDefinition): CompiledStep {
		const { input, skip, optional, pickup } = step;
		const { run, contracts } = this.compiledProcess(step.process);
		const defaults = step.process.defaultOptions;
		const dynamicOptions = typeof step.options === "function" ? step.options : undefined;
		const staticOptions =
			dynamicOptions === undefined ? { ...defaults, ...(step.options as object | undefined) } : undefined;

		const bringBack = (inner: RuntimeFloor, floor: RuntimeFloor) => {
			for (let index = 0; index < pickup.length; index++) {
				const key = pickup[index] as string;
				floor.drop(key, inner.pickup(key));
			}
		};
		const bringBackLater = async (pending: Promise<void>, inner: RuntimeFloor, floor: RuntimeFloor) => {
			await pending;
			bringBack(inner, floor);
		};

		const once = step.process.oncePerRequest ? step.process : undefined;
		const bringBackOnce = async (
			pending: Promise<void>,
			inner: RuntimeFloor,
			floor: RuntimeFloor,
			request: Request,
		) => {
			await pending;
			request.processFloors ??= new Map();
			request.processFloors.set(once as ProcessDefinition, inner);
			bringBack(inner, floor);
		};

		const runProcess: StepFunction = (floor, request, response) => {
			if (skip?.(floor.pickup)) return;
			const value = input === undefined ? undefined : input(floor.pickup);
			if (optional && value === undefined) return;
			if (once !== undefined) {
				const earlier = request.processFloors?.get(once) as RuntimeFloor | undefined;
				if (earlier !== undefined) return bringBack(earlier, floor);
			}
			const inner = createFloor();
			inner.drop("input", value);
			inner.drop(
				"options",
				dynamicOptions === undefined ? staticOptions : { ...defaults, ...dynamicOptions(floor.pickup) },
			);
			const pending = run(inner, request, response);
			if (once !== undefined) {
				if (pending instanceof Promise) return bringBackOnce(pending, inner, floor, request);
				request.processFloors ??= new Map();
				request.processFloors.set(once, inner);
			} else if (pending instanceof Promise) {
				return bringBackLater(pending, inner, floor);
			}
			bringBack(inner, floor);
		};
		// What the process's steps declare for this use's options (known here unless they come from the floor).
		const declared = [...forProcessOptions(contracts, staticOptions), ...step.responses];
		return { name: `process(${step.process.name})`, run: runProcess, contracts: declared };
	}
}

export function handlerStep(handler: RouteDefinition["handler"]): StepFunction {
	const checkAnswer = (result: unknown, response: Response) => {
		if (response.responded && result !== response) {
			throw new Error(
				"The handler called respond() without returning its result: write `return response.respond(...)`.",
			);
		}
		if (!response.isSent) throw new NoResponseSentError("The handler");
	};
	const checkLater = async (pending: Promise<unknown>, response: Response) => checkAnswer(await pending, response);
	return (floor, request, response) => {
		response.inHandler = true;
		let result: unknown;
		try {
			result = handler(floor as Floor<any>, response, request);
		} catch (thrown) {
			// Catching the response signal here, one frame above send(), keeps the unwinding short.
			if (thrown === responseSignal && response.isSent) return;
			throw thrown;
		}
		if (result === response && response.responded) return;
		if (result instanceof Promise) return checkLater(result, response);
		checkAnswer(result, response);
	};
}
