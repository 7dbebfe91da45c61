// Turns a declared route into its executor: one flat list of specialised step functions, run
// synchronously until a step returns a promise, with `send()` unwinding to the sending phase.
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import type { OutgoingHttpHeaders } from "node:http";
import { extname } from "node:path";
import { pipeline as pipeStreams } from "node:stream/promises";
import type { Logger } from "pino";
import { parseBody } from "./body.js";
import { checkerOutput, type CheckerOutput } from "./checker.js";
import { extractContracts, frameworkContracts, matchContract, type Contract } from "./contracts.js";
import { FrameworkInfo, NoResponseSentError } from "./errors.js";
import { compileExtract, defaultExtractErrorHandler, extractsBody, type ExtractErrorHandler } from "./extract.js";
import { createFloor, type Floor, type RuntimeFloor } from "./floor.js";
import { mergeHookLists, runHooks, type HookLists } from "./hooks.js";
import { Request, type RawRequest } from "./request.js";
import { FileBody, Response, StreamBody, type ResponseSink } from "./response.js";
import type { CheckStepDefinition, CutStepDefinition, PipelineDefinition, ProcessDefinition, ProcessStepDefinition, RouteDefinition } from "./steps.js";

export type Environment = "DEV" | "TEST" | "PROD";

/** Answers an error thrown by a step (after the `onError` hooks); it must send. */
export type ErrorHandler = (request: Request, response: Response, error: unknown) => unknown;

export interface ExecutorSettings {
	readonly environment: Environment;
	readonly hooks: HookLists;
	readonly bodyLimit: number;
	readonly extractErrorHandler: ExtractErrorHandler;
	readonly errorHandler: ErrorHandler;
	readonly logger: Logger;
	/** One access-log line per request at `info`. */
	readonly logRequests: boolean;
}

type StepFunction = (floor: RuntimeFloor, request: Request, response: Response) => unknown;

export interface CompiledRoute {
	readonly definition: RouteDefinition;
	/** The route's hooks: global ones first, then abstract routes', processes' and the route's own. */
	readonly hooks: HookLists;
	execute(raw: RawRequest, sink: ResponseSink, path: string, search: string, params: Record<string, string | undefined>, matchedPath: string): void | Promise<void>;
}

/** The default error handler: logs the error with the request id and answers 500 without internals (a stack only in DEV). */
export function defaultErrorHandler(environment: Environment): ErrorHandler {
	return (request, response, error) => {
		request.logger.error({ err: error }, "request failed");
		const body: Record<string, unknown> = {
			error: FrameworkInfo.internalServerError,
			message: "An internal error occurred.",
			requestId: request.id,
		};
		if (environment === "DEV" && error instanceof Error) {
			body.message = error.message;
			body.stack = error.stack;
		}
		const info = error instanceof NoResponseSentError ? FrameworkInfo.noResponseSent : FrameworkInfo.internalServerError;
		if (info === FrameworkInfo.noResponseSent) body.error = info;
		response.code(500).info(info).send(body);
	};
}

/** Collects the hooks of processes used by a pipeline (and their own processes), in order of use. */
function processHooks(pipeline: PipelineDefinition, seen = new Set<ProcessDefinition>()): HookLists[] {
	const lists: HookLists[] = [];
	for (const step of pipeline.steps) {
		if (step.kind !== "process" || seen.has(step.process)) continue;
		seen.add(step.process);
		lists.push(...processHooks(step.process.pipeline, seen), step.process.pipeline.hooks);
	}
	return lists;
}

/**
 * A route's hooks, in the order they run: global ones, then for each pipeline (abstract routes first,
 * the route last) the hooks of the processes it uses and then its own, so the route's own come last.
 */
export function routeHooks(definition: RouteDefinition, global: HookLists): HookLists {
	const lists: HookLists[] = [global];
	for (const pipeline of definition.pipelines) lists.push(...processHooks(pipeline), pipeline.hooks);
	return mergeHookLists(...lists);
}

/** A compiled step and what it may send (null: not checked, e.g. hooks and custom extract error handlers). */
interface CompiledStep {
	/** For messages: "check(userExist)", "the handler" ... */
	readonly name: string;
	readonly run: StepFunction;
	readonly contracts: readonly Contract[] | null;
}

type Runner = (floor: RuntimeFloor, request: Request, response: Response) => void | Promise<void>;

/**
 * Runs steps in order; synchronous until one returns a promise. Errors (and the response signal)
 * propagate. With `track`, records on the response which step is running, for the contract check.
 */
function makeRunner(steps: readonly StepFunction[], track: boolean): Runner {
	const count = steps.length;
	const continueAsync = async (from: number, pending: Promise<unknown>, floor: RuntimeFloor, request: Request, response: Response) => {
		await pending;
		if (response.isSent) throw response;
		for (let index = from + 1; index < count; index++) {
			if (track) response.sentByStep = index;
			const result = (steps[index] as StepFunction)(floor, request, response);
			if (result instanceof Promise) await result;
			if (response.isSent) throw response;
		}
	};
	if (track) {
		return (floor, request, response) => {
			for (let index = 0; index < count; index++) {
				response.sentByStep = index;
				const result = (steps[index] as StepFunction)(floor, request, response);
				if (result instanceof Promise) return continueAsync(index, result, floor, request, response);
				if (response.isSent) throw response;
			}
		};
	}
	return (floor, request, response) => {
		for (let index = 0; index < count; index++) {
			const result = (steps[index] as StepFunction)(floor, request, response);
			if (result instanceof Promise) return continueAsync(index, result, floor, request, response);
			// A step whose own try/catch swallowed the response signal still ends the pipeline.
			if (response.isSent) throw response;
		}
	};
}

class Compiler {
	private readonly processes = new Map<ProcessDefinition, { run: Runner; contracts: Contract[] }>();

	constructor(
		private readonly settings: ExecutorSettings,
		private readonly hooks: HookLists,
		private readonly bodyLimit: number,
	) {}

	pipelineSteps(pipeline: PipelineDefinition): CompiledStep[] {
		const steps: CompiledStep[] = [];
		const extract = pipeline.extract;
		if (extract !== undefined) {
			if (extractsBody(extract.shape)) steps.push({ name: "the body parser", run: this.bodyStep(), contracts: frameworkContracts.body });
			const custom = extract.onError ?? (this.settings.extractErrorHandler === defaultExtractErrorHandler ? undefined : this.settings.extractErrorHandler);
			steps.push({
				name: "extract",
				run: compileExtract(extract.shape, custom ?? defaultExtractErrorHandler),
				contracts: custom === undefined ? extractContracts(extract.shape) : null,
			});
		}
		for (const step of pipeline.steps) {
			if (step.kind === "check") steps.push({ name: `check(${step.checker.name})`, run: this.checkStep(step), contracts: step.responses });
			else if (step.kind === "cut") steps.push({ name: `cut #${pipeline.steps.indexOf(step) + 1}`, run: this.cutStep(step), contracts: step.responses });
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

	private checkStep(step: CheckStepDefinition): StepFunction {
		const { checker, input, indexing, skip } = step;
		const handler = checker.handler;
		const catcher = step.catch;
		const accepted = step.result === undefined ? undefined : typeof step.result === "string" ? [step.result] : step.result;
		const dynamicOptions = typeof step.options === "function" ? step.options : undefined;
		const staticOptions = dynamicOptions === undefined ? { ...checker.defaultOptions, ...(step.options as object | undefined) } : undefined;
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
		const applyLater = async (pending: Promise<CheckerOutput>, floor: RuntimeFloor, response: Response) => apply(await pending, floor, response);

		return (floor, _request, response) => {
			if (skip !== undefined && skip(floor.pickup)) return;
			const options = dynamicOptions === undefined ? staticOptions : { ...defaults, ...dynamicOptions(floor.pickup) };
			const output = handler(input(floor.pickup), checkerOutput, options);
			if (output instanceof Promise) return applyLater(output, floor, response);
			apply(output, floor, response);
		};
	}

	private cutStep(step: CutStepDefinition): StepFunction {
		const { cut, drop } = step;
		if (drop.length === 0) return (floor, request, response) => cut(floor as Floor<any>, response, request);
		const dropKeys = (result: unknown, floor: RuntimeFloor) => {
			if (typeof result !== "object" || result === null) {
				throw new TypeError(`A cut declared to drop ${drop.join(", ")} returned ${result === null ? "null" : typeof result}, not an object.`);
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
			compiled = { run: makeRunner(steps.map((step) => step.run), false), contracts };
			this.processes.set(process, compiled);
		}
		return compiled;
	}

	private processStep(step: ProcessStepDefinition): CompiledStep {
		const { input, skip, pickup } = step;
		const { run, contracts } = this.compiledProcess(step.process);
		const defaults = step.process.defaultOptions;
		const dynamicOptions = typeof step.options === "function" ? step.options : undefined;
		const staticOptions = dynamicOptions === undefined ? { ...defaults, ...(step.options as object | undefined) } : undefined;

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

		const runProcess: StepFunction = (floor, request, response) => {
			if (skip !== undefined && skip(floor.pickup)) return;
			const inner = createFloor();
			inner.drop("input", input === undefined ? undefined : input(floor.pickup));
			inner.drop("options", dynamicOptions === undefined ? staticOptions : { ...defaults, ...dynamicOptions(floor.pickup) });
			const pending = run(inner, request, response);
			if (pending instanceof Promise) return bringBackLater(pending, inner, floor);
			bringBack(inner, floor);
		};
		return { name: `process(${step.process.name})`, run: runProcess, contracts: [...contracts, ...step.responses] };
	}
}

/** True when the route, or a process it uses, declares at least one contract of its own. */
export function declaresContracts(definition: RouteDefinition): boolean {
	const inPipeline = (pipeline: PipelineDefinition): boolean =>
		pipeline.steps.some(
			(step) => step.responses.length > 0 || (step.kind === "process" && (step.process.responses.length > 0 || inPipeline(step.process.pipeline))),
		);
	return definition.responses.length > 0 || definition.pipelines.some(inPipeline);
}

function handlerStep(handler: RouteDefinition["handler"]): StepFunction {
	const missing = async (pending: Promise<unknown>, response: Response) => {
		await pending;
		if (!response.isSent) throw new NoResponseSentError("The handler");
	};
	return (floor, request, response) => {
		const result = handler(floor as Floor<any>, response, request);
		if (result instanceof Promise) return missing(result, response);
		if (!response.isSent) throw new NoResponseSentError("The handler");
	};
}

const contentTypes: Record<string, string> = {
	".html": "text/html; charset=utf-8",
	".js": "text/javascript; charset=utf-8",
	".mjs": "text/javascript; charset=utf-8",
	".css": "text/css; charset=utf-8",
	".json": "application/json; charset=utf-8",
	".map": "application/json; charset=utf-8",
	".txt": "text/plain; charset=utf-8",
	".svg": "image/svg+xml",
	".png": "image/png",
	".jpg": "image/jpeg",
	".jpeg": "image/jpeg",
	".webp": "image/webp",
	".ico": "image/x-icon",
	".woff2": "font/woff2",
};

/** Compiles one route into its executor. */
export function compileRoute(definition: RouteDefinition, settings: ExecutorSettings): CompiledRoute {
	const hooks = routeHooks(definition, settings.hooks);
	const compiler = new Compiler(settings, hooks, definition.options.bodyLimit ?? settings.bodyLimit);
	const { errorHandler, logger } = settings;
	const logRequests = settings.logRequests && logger.isLevelEnabled("info");

	const steps: CompiledStep[] = [];
	const constructRequest = hooks.onConstructRequest;
	const constructResponse = hooks.onConstructResponse;
	const beforeRouteExecution = hooks.beforeRouteExecution;
	if (constructRequest.length > 0) steps.push({ name: "onConstructRequest hooks", run: (_floor, request) => runHooks(constructRequest, request, undefined), contracts: null });
	if (constructResponse.length > 0) steps.push({ name: "onConstructResponse hooks", run: (_floor, request, response) => runHooks(constructResponse, response, request), contracts: null });
	if (beforeRouteExecution.length > 0) steps.push({ name: "beforeRouteExecution hooks", run: (_floor, request, response) => runHooks(beforeRouteExecution, request, response), contracts: null });
	for (const pipeline of definition.pipelines) steps.push(...compiler.pipelineSteps(pipeline));
	steps.push({ name: "the handler", run: handlerStep(definition.handler), contracts: definition.responses });

	// Contracts. A route that declares none is not checked (the OpenAPI test reports it instead).
	const checkContracts = settings.environment !== "PROD" && declaresContracts(definition);
	const stepContracts = steps.map((step) => (step.contracts === null ? null : [...step.contracts, ...frameworkContracts.failure]));
	// In every environment, bodies with a declared schema are serialised from it (unknown fields dropped).
	const schemas = new Map<string, Contract[]>();
	for (const step of steps) {
		for (const contract of step.contracts ?? []) {
			if (contract.schema === undefined) continue;
			for (const info of contract.infos) {
				const key = `${contract.code} ${info}`;
				schemas.set(key, [...(schemas.get(key) ?? []), contract]);
			}
		}
	}
	const serialiseFromSchemas = !checkContracts && schemas.size > 0;
	const run = makeRunner(
		steps.map((step) => step.run),
		checkContracts,
	);

	const onErrorHooks = hooks.onError;
	const beforeSendHooks = hooks.beforeSend;
	const afterSendHooks = hooks.afterSend;
	const serverErrorHooks = hooks.onServerError;

	function serverError(error: unknown, request: Request, response: Response): void {
		request.logger.error({ err: error }, "failed to send the response");
		try {
			const pending = runHooks(serverErrorHooks, request, response, error);
			if (pending instanceof Promise) pending.catch((hookError) => request.logger.error({ err: hookError }, "onServerError hook failed"));
		} catch (hookError) {
			request.logger.error({ err: hookError }, "onServerError hook failed");
		}
		const sink = response.raw;
		if (sink.headersSent) {
			sink.destroy();
			return;
		}
		const body = `{"error":"${FrameworkInfo.internalServerError}","requestId":${JSON.stringify(request.id)}}`;
		sink.writeHead(500, {
			"content-type": "application/json; charset=utf-8",
			"content-length": Buffer.byteLength(body),
			info: FrameworkInfo.internalServerError,
			"x-request-id": request.id,
		});
		sink.end(request.method === "HEAD" ? undefined : body);
	}

	function afterSend(request: Request, response: Response): void | Promise<void> {
		if (logRequests) {
			logger.info(
				{ reqId: request.id, method: request.method, path: request.path, statusCode: response.statusCode, ms: Math.round((performance.now() - request.startedAt) * 100) / 100 },
				"request completed",
			);
		}
		if (afterSendHooks.length === 0) return;
		try {
			const pending = runHooks(afterSendHooks, request, response);
			if (pending instanceof Promise) return pending.catch((error) => request.logger.error({ err: error }, "afterSend hook failed"));
		} catch (error) {
			request.logger.error({ err: error }, "afterSend hook failed");
		}
	}

	async function writeFile(request: Request, response: Response, headers: OutgoingHttpHeaders, file: FileBody): Promise<void> {
		const sink = response.raw;
		let size: number;
		try {
			const stats = await stat(file.path);
			if (!stats.isFile()) throw Object.assign(new Error("not a file"), { code: "ENOENT" });
			size = stats.size;
		} catch (error) {
			if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
			const body = JSON.stringify({ error: FrameworkInfo.notFound, message: "The file does not exist." });
			response.statusCode = 404;
			sink.writeHead(404, { "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(body), info: FrameworkInfo.notFound, "x-request-id": request.id });
			sink.end(body);
			return;
		}
		headers["content-type"] ??= file.contentType ?? contentTypes[extname(file.path).toLowerCase()] ?? "application/octet-stream";
		headers["content-length"] = size;
		sink.writeHead(response.statusCode, headers);
		if (request.method === "HEAD") sink.end();
		else await pipeStreams(createReadStream(file.path), sink);
	}

	async function writeStream(request: Request, response: Response, headers: OutgoingHttpHeaders, stream: StreamBody): Promise<void> {
		const sink = response.raw;
		headers["content-type"] ??= stream.contentType ?? "application/octet-stream";
		sink.writeHead(response.statusCode, headers);
		if (request.method === "HEAD") {
			stream.readable.destroy();
			sink.end();
		} else {
			await pipeStreams(stream.readable, sink);
		}
	}

	/** Serialises the body and writes status, headers and body to the client. */
	function write(request: Request, response: Response): void | Promise<void> {
		const headers = response.headerValues as OutgoingHttpHeaders;
		headers["x-request-id"] = request.id;
		if (response.information !== undefined) headers.info = response.information;
		const body = response.body;
		let payload: string | Buffer | undefined;
		if (body === undefined || body === null) {
			payload = undefined;
		} else if (typeof body === "string") {
			payload = body;
			headers["content-type"] ??= "text/plain; charset=utf-8";
		} else if (body instanceof Buffer) {
			payload = body;
			headers["content-type"] ??= "application/octet-stream";
		} else if (body instanceof FileBody) {
			return writeFile(request, response, headers, body);
		} else if (body instanceof StreamBody) {
			return writeStream(request, response, headers, body);
		} else {
			payload = JSON.stringify(body);
			headers["content-type"] ??= "application/json; charset=utf-8";
		}
		const sink = response.raw;
		const status = response.statusCode;
		if (payload === undefined) {
			if (status !== 204 && status !== 304) headers["content-length"] = 0;
			sink.writeHead(status, headers);
			sink.end();
			return;
		}
		headers["content-length"] = typeof payload === "string" ? Buffer.byteLength(payload) : payload.length;
		sink.writeHead(status, headers);
		sink.end(request.method === "HEAD" ? undefined : payload);
	}

	async function finishLater(pending: Promise<void>, request: Request, response: Response): Promise<void> {
		try {
			await pending;
			await write(request, response);
		} catch (error) {
			return serverError(error, request, response);
		}
		return afterSend(request, response);
	}

	/** DEV/TEST: the response must be one its step declared; otherwise it becomes a 500 that says why. */
	function checkContract(request: Request, response: Response): void {
		const contracts = stepContracts[response.sentByStep];
		if (contracts === null || contracts === undefined) return;
		const where = `${request.method} ${request.matchedPath}, ${steps[response.sentByStep]?.name ?? "a step"},`;
		const outcome = matchContract(contracts, response.statusCode, response.information, response.body, where);
		if ("body" in outcome) {
			response.body = outcome.body;
			return;
		}
		request.logger.error({ mismatch: outcome }, "response does not match its contract");
		const keptId = response.headerValues["x-request-id"];
		resetForError(response);
		if (keptId !== undefined) response.headerValues["x-request-id"] = keptId;
		response.information = FrameworkInfo.whatWasSentError;
		response.body = { error: FrameworkInfo.whatWasSentError, ...outcome };
		response.isSent = true;
	}

	/** PROD: a body with a declared schema is sent as the schema's output, so undeclared fields never leave. */
	function serialiseFromSchema(request: Request, response: Response): void {
		const contracts = schemas.get(`${response.statusCode} ${response.information}`);
		if (contracts === undefined) return;
		for (const contract of contracts) {
			const parsed = (contract.schema as NonNullable<Contract["schema"]>).safeParse(response.body);
			if (parsed.success) {
				response.body = parsed.data;
				return;
			}
		}
		// Sending a body we cannot vouch for could leak data: refuse it.
		request.logger.error({ statusCode: response.statusCode, info: response.information }, "response body does not match its declared schema");
		resetForError(response);
		response.information = FrameworkInfo.internalServerError;
		response.body = { error: FrameworkInfo.internalServerError, message: "An internal error occurred.", requestId: request.id };
		response.isSent = true;
	}

	/** The sending phase: beforeSend hooks, write, afterSend hooks. */
	function finish(request: Request, response: Response): void | Promise<void> {
		if (checkContracts) checkContract(request, response);
		else if (serialiseFromSchemas) serialiseFromSchema(request, response);
		try {
			const pending = beforeSendHooks.length === 0 ? undefined : runHooks(beforeSendHooks, request, response);
			if (pending instanceof Promise) return finishLater(pending, request, response);
			const writing = write(request, response);
			if (writing instanceof Promise) return finishLater(writing, request, response);
		} catch (error) {
			return serverError(error, request, response);
		}
		return afterSend(request, response);
	}

	function resetForError(response: Response): void {
		response.statusCode = 500;
		response.information = undefined;
		response.headerValues = {};
		response.body = undefined;
		response.isSent = false;
	}

	async function recoverLater(pending: Promise<void>, error: unknown, request: Request, response: Response): Promise<void> {
		try {
			await pending;
			await errorHandler(request, response, error);
			throw new NoResponseSentError("The error handler");
		} catch (thrown) {
			if (thrown === response) return finish(request, response);
			return serverError(thrown, request, response);
		}
	}

	/** An error was thrown by a step: onError hooks, then the error handler, which sends. */
	function recover(error: unknown, request: Request, response: Response): void | Promise<void> {
		resetForError(response);
		try {
			const pending = runHooks(onErrorHooks, request, response, error);
			if (pending instanceof Promise) return recoverLater(pending, error, request, response);
			const handled = errorHandler(request, response, error);
			if (handled instanceof Promise) return recoverLater(handled, error, request, response);
			throw new NoResponseSentError("The error handler");
		} catch (thrown) {
			if (thrown === response) return finish(request, response);
			return serverError(thrown, request, response);
		}
	}

	function settle(thrown: unknown, request: Request, response: Response): void | Promise<void> {
		if (thrown === response) return finish(request, response);
		return recover(thrown, request, response);
	}

	async function settleLater(pending: Promise<void>, request: Request, response: Response): Promise<void> {
		try {
			await pending;
		} catch (thrown) {
			return settle(thrown, request, response);
		}
	}

	return {
		definition,
		hooks,
		execute(raw, sink, path, search, params, matchedPath) {
			const request = new Request(raw, path, search, matchedPath, params, logger, logRequests ? performance.now() : 0);
			const response = new Response(sink);
			try {
				const pending = run(createFloor(), request, response);
				if (pending instanceof Promise) return settleLater(pending, request, response);
			} catch (thrown) {
				return settle(thrown, request, response);
			}
		},
	};
}

export { defaultExtractErrorHandler };
