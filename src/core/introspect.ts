// What a declared route is made of, read from its tree of pipelines (its own, its abstract routes', and
// those of the processes they use): its hooks, what it may send, the processes and extracts it uses.
// One walker, `walkPipelines`, goes through that tree; every question below is asked through it.
import type { z } from "zod";
import { type Contract, extractContracts, forMethod, forProcessOptions, frameworkContracts } from "./contracts.js";
import { type ErrorAnswer, errorAnswerContracts } from "./error-answers.js";
import { EventStreamAnswer } from "./event-stream.js";
import { extractsBody, extractsMultipart } from "./extract.js";
import { type HookLists, mergeHookLists } from "./hooks.js";
import type {
	ExtractDefinition,
	PipelineDefinition,
	ProcessDefinition,
	ProcessStepDefinition,
	RouteDefinition,
	StepDefinition,
} from "./route-definition.js";

/**
 * What `walkPipelines` reports, each callback optional. `process` is the process a pipeline belongs to
 * (undefined for a pipeline the walk started from: a route's or an abstract route's), and `use` the
 * step that led into it (which carries that use's options).
 */
export interface PipelineVisitor {
	/** Walk into a process at each of its uses, not only the first (for questions that depend on the use). */
	readonly everyUse?: boolean;
	/** A pipeline, before its steps: one the walk started from, or the pipeline of a process walked into. */
	enter?(
		pipeline: PipelineDefinition,
		process: ProcessDefinition | undefined,
		use: ProcessStepDefinition | undefined,
	): void;
	/** Each step of an entered pipeline, in order, before the pipeline of the process it uses (if any). */
	step?(step: StepDefinition, process: ProcessDefinition | undefined, use: ProcessStepDefinition | undefined): void;
	/** Whether to walk into a process met for the first time (by default, yes); false leaves out what only it uses. */
	into?(process: ProcessDefinition): boolean;
	/** An entered pipeline, after its steps and every process they led to. */
	leave?(pipeline: PipelineDefinition, process: ProcessDefinition | undefined): void;
}

/**
 * Walks pipelines in order and, depth first, the pipelines of the processes their steps use, in order of
 * use. A process is walked into once per walk (at each use with `everyUse`): its later uses are still
 * steps, but lead nowhere.
 */
export function walkPipelines(pipelines: readonly PipelineDefinition[], visitor: PipelineVisitor): void {
	const seen = new Set<ProcessDefinition>();
	const walk = (
		pipeline: PipelineDefinition,
		process: ProcessDefinition | undefined,
		use: ProcessStepDefinition | undefined,
	): void => {
		visitor.enter?.(pipeline, process, use);
		for (const step of pipeline.steps) {
			visitor.step?.(step, process, use);
			if (step.kind !== "process" || (seen.has(step.process) && visitor.everyUse !== true)) continue;
			seen.add(step.process);
			if (visitor.into?.(step.process) !== false) walk(step.process.pipeline, step.process, step);
		}
		visitor.leave?.(pipeline, process);
	};
	for (const pipeline of pipelines) walk(pipeline, undefined, undefined);
}

/** The options a process use runs with, when they are known before the request (not a function of the floor). */
export function staticOptionsOf(use: ProcessStepDefinition): object | undefined {
	return typeof use.options === "function" ? undefined : { ...use.process.defaultOptions, ...use.options };
}

/**
 * A route's hooks, in the order they run: global ones, then for each pipeline (abstract routes first,
 * the route last) the hooks of the processes it uses and then its own, so the route's own come last.
 * A process's hooks come after those of the processes it uses, and once per route: hooks belong to the
 * request, so a process used by an abstract route and again by the route adds them once.
 */
export function routeHooks(definition: RouteDefinition, global: HookLists): HookLists {
	const lists: HookLists[] = [global];
	walkPipelines(definition.pipelines, { leave: (walked) => void lists.push(walked.hooks) });
	return mergeHookLists(...lists);
}

/** Where a declared response comes from: a step of the route (or a process it uses), or the framework itself. */
export type ResponseOrigin = "step" | "framework";

/** One declared response of a route: a code, the infos it is sent with, and the body schemas it may have. */
export interface DeclaredResponse {
	readonly code: number;
	readonly info: string;
	readonly schema: z.ZodType | undefined;
	readonly origin: ResponseOrigin;
	/** Headers it is sent with besides `info` (an error answer's `retry-after`). */
	readonly headers?: readonly string[];
	/** An event stream's answer: `text/event-stream`, with the schema of one event's data (for the documentation). */
	readonly eventStream?: { readonly eventSchema: z.ZodType | undefined };
}

/**
 * Every response a route declares, one entry per (code, info, schema): its steps' contracts (with
 * processes' ones, recursively), then the framework's (extract and body parser answers, 500s) and the
 * app's error answers (`app.errorAnswers`, when given).
 */
export function declaredResponses(
	route: RouteDefinition,
	errorAnswers: readonly ErrorAnswer[] = [],
): DeclaredResponse[] {
	const responses: DeclaredResponse[] = [];
	const add = (contracts: readonly Contract[], origin: ResponseOrigin) => {
		for (const contract of forMethod(contracts, route.method)) {
			for (const info of contract.infos) {
				const entry: DeclaredResponse =
					contract instanceof EventStreamAnswer
						? {
								code: contract.code,
								info,
								schema: undefined,
								origin,
								eventStream: { eventSchema: contract.eventSchema },
							}
						: { code: contract.code, info, schema: contract.schema, origin };
				// The same process used twice, or a contract repeated, is listed once; schemas are compared by identity.
				const existing = responses.find(
					(one) => one.code === entry.code && one.info === info && one.schema === entry.schema,
				);
				if (existing === undefined) responses.push(entry);
			}
		}
	};
	// What a process's steps declare may depend on the options of each use (`forOptions`): every use is read.
	const inUse = (contracts: readonly Contract[], use: ProcessStepDefinition | undefined) =>
		use === undefined ? contracts : forProcessOptions(contracts, staticOptionsOf(use));
	walkPipelines(route.pipelines, {
		everyUse: true,
		enter: (pipeline, process, use) => {
			if (process !== undefined) add(inUse(process.responses, use), "step");
			const extract = pipeline.extract;
			if (extract === undefined) return;
			if (extractsBody(extract.shape)) add(frameworkContracts.body, "framework");
			if (extractsMultipart(extract.shape) !== undefined) add(frameworkContracts.multipart, "framework");
			// A route's own extract error handler may send anything: nothing can be said about it.
			if (extract.onError === undefined) add(extractContracts(extract.shape), "framework");
		},
		step: (step, _process, use) => add(inUse(step.responses, use), "step"),
	});
	add(route.responses, "step");
	add(frameworkContracts.failure, "framework");
	add(errorAnswerContracts(errorAnswers), "framework");
	for (const answer of errorAnswers) {
		const names = Object.keys(answer.headers ?? {});
		const index = responses.findIndex(
			(one) => one.code === answer.code && one.info === answer.info && one.origin === "framework",
		);
		if (names.length > 0 && index !== -1)
			responses[index] = { ...(responses[index] as DeclaredResponse), headers: names };
	}
	return responses;
}

/**
 * True when the route, or a process it uses, declares at least one response of its own: a contract of its
 * handler, of a step or of a process that applies to the route's method. Only such a route has its
 * responses checked against its contracts (DEV and TEST); the OpenAPI test lists the others.
 */
export function declaresContracts(route: RouteDefinition): boolean {
	const declares = (contracts: readonly Contract[]) =>
		forMethod(contracts, route.method).some((contract) => contract.infos.length > 0);
	let found = declares(route.responses);
	walkPipelines(route.pipelines, {
		enter: (_pipeline, process) => {
			if (process !== undefined && declares(process.responses)) found = true;
		},
		step: (step) => {
			if (declares(step.responses)) found = true;
		},
	});
	return found;
}

/** Process names used by a route's pipelines, at any depth (in order of first use). */
export function processesUsed(route: RouteDefinition): string[] {
	const names = new Set<string>();
	walkPipelines(route.pipelines, {
		// A process named like one met before counts as that one: neither it nor what it uses is looked at.
		into: (process) => {
			if (names.has(process.name)) return false;
			names.add(process.name);
			return true;
		},
	});
	return [...names];
}

/**
 * Process names some route uses only behind a `skip` or as an optional step, so the operation is also reachable without them.
 * Only the steps of the route's own pipelines (its abstract routes' and its own) count, not those inside processes.
 */
export function skippableProcesses(route: RouteDefinition): Set<string> {
	const names = new Set<string>();
	walkPipelines(route.pipelines, {
		step: (step, process) => {
			if (process === undefined && step.kind === "process" && (step.skip !== undefined || step.optional))
				names.add(step.process.name);
		},
	});
	return names;
}

/** The extracts of a route's pipelines and of the processes they use, in the order they first run. */
export function extractsOf(route: RouteDefinition): ExtractDefinition[] {
	const extracts: ExtractDefinition[] = [];
	walkPipelines(route.pipelines, {
		enter: (pipeline) => {
			if (pipeline.extract !== undefined) extracts.push(pipeline.extract);
		},
	});
	return extracts;
}
