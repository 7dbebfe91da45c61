// Turns a declared route into its executor: one flat list of specialised step functions, run
// synchronously until a step returns a promise, with `send()` unwinding to the sending phase.
import type { ServerResponse } from "node:http";
import type { Logger } from "pino";
import { type Contract, forMethod, frameworkContracts, matchContract } from "./contracts.js";
import { discardUnreadBody, hasUnreadBody, type UnreadBodyLimits } from "./drain.js";
import { answeringErrors, type ErrorAnswer, errorAnswerContracts } from "./error-answers.js";
import { FrameworkInfo, NoResponseSentError } from "./errors.js";
import type { EventStreamRegistry } from "./event-stream.js";
import type { ExtractErrorHandler } from "./extract.js";
import { createFloor, type RuntimeFloor } from "./floor.js";
import { type HookLists, runHooks } from "./hooks.js";
import { declaresContracts, routeHooks } from "./introspect.js";
import { type RawRequest, Request } from "./request.js";
import { Response, type ResponseSink, responseSignal } from "./response.js";
import type { RouteDefinition } from "./route-definition.js";
import { writeResponse } from "./send.js";
import { type CompiledStep, handlerStep, StepCompiler, type StepFunction } from "./step-compiler.js";

export type Environment = "DEV" | "TEST" | "PROD";

/** Answers an error thrown by a step (after the `onError` hooks); it must send. */
export type ErrorHandler = (request: Request, response: Response, error: unknown) => unknown;

export interface ExecutorSettings {
	readonly environment: Environment;
	readonly hooks: HookLists;
	readonly bodyLimit: number;
	readonly extractErrorHandler: ExtractErrorHandler;
	readonly errorHandler: ErrorHandler;
	/** App-wide answers to classes of errors, tried before the error handler. */
	readonly errorAnswers: readonly ErrorAnswer[];
	readonly logger: Logger;
	/** One access-log line per request at `info`. */
	readonly logRequests: boolean;
	/** Where the access-log lines go (default: `logger`). */
	readonly accessLogger?: Logger;
	/** How many reverse proxies in front of the app to trust for the client address (0: none). */
	readonly trustProxy: number;
	/** What is read and discarded of a body left unread by an early answer. */
	readonly unreadBody: UnreadBodyLimits;
	/** The app's open event streams (closed at shutdown). */
	readonly eventStreams?: EventStreamRegistry;
}

export interface CompiledRoute {
	readonly definition: RouteDefinition;
	execute(
		raw: RawRequest,
		sink: ResponseSink,
		path: string,
		search: string,
		params: Record<string, string | undefined>,
		matchedPath: string,
	): void | Promise<void>;
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
		const info =
			error instanceof NoResponseSentError ? FrameworkInfo.noResponseSent : FrameworkInfo.internalServerError;
		if (info === FrameworkInfo.noResponseSent) body.error = info;
		response.code(500).info(info).send(body);
	};
}

/** Compiles one route into its executor. */
export function compileRoute(definition: RouteDefinition, settings: ExecutorSettings): CompiledRoute {
	const hooks = routeHooks(definition, settings.hooks);
	const compiler = new StepCompiler(
		settings.extractErrorHandler,
		hooks,
		definition.options.bodyLimit ?? settings.bodyLimit,
	);
	const { logger, trustProxy, unreadBody, eventStreams } = settings;
	const errorHandler = answeringErrors(settings.errorAnswers, settings.errorHandler);
	const accessLogger = settings.accessLogger ?? logger;
	const logRequests = settings.logRequests && accessLogger.isLevelEnabled("info");

	const steps: CompiledStep[] = [];
	const constructRequest = hooks.onConstructRequest;
	const constructResponse = hooks.onConstructResponse;
	const beforeRouteExecution = hooks.beforeRouteExecution;
	if (constructRequest.length > 0)
		steps.push({
			name: "onConstructRequest hooks",
			run: (_floor, request) => runHooks(constructRequest, request, undefined),
			contracts: null,
		});
	if (constructResponse.length > 0)
		steps.push({
			name: "onConstructResponse hooks",
			run: (_floor, request, response) => runHooks(constructResponse, response, request),
			contracts: null,
		});
	if (beforeRouteExecution.length > 0)
		steps.push({
			name: "beforeRouteExecution hooks",
			run: (_floor, request, response) => runHooks(beforeRouteExecution, request, response),
			contracts: null,
		});
	for (const pipeline of definition.pipelines) steps.push(...compiler.pipelineSteps(pipeline));
	steps.push({ name: "the handler", run: handlerStep(definition.handler), contracts: definition.responses });

	// Contracts. A route that declares none is not checked (the OpenAPI test reports it instead).
	const checkContracts = settings.environment !== "PROD" && declaresContracts(definition);
	const failureContracts = [...frameworkContracts.failure, ...errorAnswerContracts(settings.errorAnswers)];
	const stepContracts = steps.map((step) =>
		step.contracts === null ? null : [...forMethod(step.contracts, definition.method), ...failureContracts],
	);
	// In every environment, bodies with a declared schema are serialised from it (unknown fields dropped).
	// By code, then info: two lookups and no key string built per answer.
	const schemas = new Map<number, Map<string, Contract[]>>();
	for (const step of steps) {
		for (const contract of forMethod(step.contracts ?? [], definition.method)) {
			if (contract.schema === undefined) continue;
			const byInfo = schemas.get(contract.code) ?? new Map<string, Contract[]>();
			schemas.set(contract.code, byInfo);
			for (const info of contract.infos) byInfo.set(info, [...(byInfo.get(info) ?? []), contract]);
		}
	}
	const serialiseFromSchemas = !checkContracts && schemas.size > 0;
	const stepRuns = steps.map((step) => step.run);
	const stepCount = stepRuns.length;

	const onErrorHooks = hooks.onError;
	const beforeSendHooks = hooks.beforeSend;
	const afterSendHooks = hooks.afterSend;
	const serverErrorHooks = hooks.onServerError;

	function serverError(error: unknown, request: Request, response: Response): void {
		request.logger.error({ err: error }, "failed to send the response");
		try {
			const pending = runHooks(serverErrorHooks, request, response, error);
			if (pending instanceof Promise)
				pending.catch((hookError) => request.logger.error({ err: hookError }, "onServerError hook failed"));
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
			accessLogger.info(
				{
					reqId: request.id,
					method: request.method,
					path: request.path,
					statusCode: response.statusCode,
					ms: Math.round((performance.now() - request.startedAt) * 100) / 100,
				},
				"request completed",
			);
		}
		if (afterSendHooks.length === 0) return;
		try {
			const pending = runHooks(afterSendHooks, request, response);
			if (pending instanceof Promise)
				return pending.catch((error) => request.logger.error({ err: error }, "afterSend hook failed"));
		} catch (error) {
			request.logger.error({ err: error }, "afterSend hook failed");
		}
	}

	/** beforeSend hooks that returned a promise: once they are done, the answer is written. */
	async function finishLater(pending: Promise<void>, request: Request, response: Response): Promise<void> {
		try {
			await pending;
			await writeResponse(request, response, eventStreams);
		} catch (error) {
			return serverError(error, request, response);
		}
		return afterSend(request, response);
	}

	/** A write that takes time (a file, a stream): the afterSend hooks run once it is done. */
	async function afterWriting(writing: Promise<void>, request: Request, response: Response): Promise<void> {
		try {
			await writing;
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
		resetForError(response);
		response.information = FrameworkInfo.whatWasSentError;
		response.body = { error: FrameworkInfo.whatWasSentError, ...outcome };
		response.isSent = true;
	}

	/** PROD: a body with a declared schema is sent as the schema's output, so undeclared fields never leave. */
	function serialiseFromSchema(request: Request, response: Response): void {
		const information = response.information;
		if (information === undefined) return;
		const contracts = schemas.get(response.statusCode)?.get(information);
		if (contracts === undefined) return;
		for (const contract of contracts) {
			const parsed = (contract.schema as NonNullable<Contract["schema"]>).safeParse(response.body);
			if (parsed.success) {
				response.body = parsed.data;
				return;
			}
		}
		// Sending a body we cannot vouch for could leak data: refuse it.
		request.logger.error(
			{ statusCode: response.statusCode, info: response.information },
			"response body does not match its declared schema",
		);
		resetForError(response);
		response.information = FrameworkInfo.internalServerError;
		response.body = {
			error: FrameworkInfo.internalServerError,
			message: "An internal error occurred.",
			requestId: request.id,
		};
		response.isSent = true;
	}

	/** The sending phase: beforeSend hooks, write, afterSend hooks. */
	function finish(request: Request, response: Response): void | Promise<void> {
		// An answer before the body was read (401, 413...): the rest is read and discarded, or closing the
		// socket would reset the connection and the client could lose the answer (drain.ts).
		if (hasUnreadBody(request.raw)) {
			const drained = discardUnreadBody(request.raw, (response.raw as ServerResponse).shouldKeepAlive, unreadBody);
			if (drained !== undefined) return drained.then(() => sendAnswer(request, response));
		}
		return sendAnswer(request, response);
	}

	function sendAnswer(request: Request, response: Response): void | Promise<void> {
		if (checkContracts) checkContract(request, response);
		else if (serialiseFromSchemas) serialiseFromSchema(request, response);
		try {
			const pending = beforeSendHooks.length === 0 ? undefined : runHooks(beforeSendHooks, request, response);
			if (pending instanceof Promise) return finishLater(pending, request, response);
			const writing = writeResponse(request, response, eventStreams);
			if (writing instanceof Promise) return afterWriting(writing, request, response);
		} catch (error) {
			return serverError(error, request, response);
		}
		return afterSend(request, response);
	}

	function resetForError(response: Response): void {
		response.inHandler = false;
		response.responded = false;
		response.statusCode = 500;
		response.information = undefined;
		response.headerValues = {};
		response.body = undefined;
		response.isSent = false;
	}

	async function recoverLater(
		pending: Promise<void>,
		error: unknown,
		request: Request,
		response: Response,
	): Promise<void> {
		try {
			await pending;
			await errorHandler(request, response, error);
			throw new NoResponseSentError("The error handler");
		} catch (thrown) {
			if (thrown === responseSignal && response.isSent) return finish(request, response);
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
			if (thrown === responseSignal && response.isSent) return finish(request, response);
			return serverError(thrown, request, response);
		}
	}

	function settle(thrown: unknown, request: Request, response: Response): void | Promise<void> {
		if (thrown === responseSignal && response.isSent) return finish(request, response);
		return recover(thrown, request, response);
	}

	/**
	 * The rest of the pipeline once a step returned a promise, then the sending phase, in one async
	 * function: every promise hop between the body arriving and the answer leaving costs on each request.
	 */
	async function continueRoute(
		from: number,
		pending: Promise<unknown>,
		floor: RuntimeFloor,
		request: Request,
		response: Response,
	): Promise<void> {
		try {
			await pending;
			for (let index = from + 1; index < stepCount && !response.isSent; index++) {
				if (checkContracts) response.sentByStep = index;
				const result = (stepRuns[index] as StepFunction)(floor, request, response);
				if (result instanceof Promise) await result;
			}
		} catch (thrown) {
			return settle(thrown, request, response);
		}
		return finish(request, response);
	}

	return {
		definition,
		execute(raw, sink, path, search, params, matchedPath) {
			const request = new Request(raw, path, search, matchedPath, params, logger, performance.now(), trustProxy);
			const response = new Response(sink);
			const floor = createFloor();
			try {
				// Synchronous steps run synchronously; the first promise hands over to continueRoute.
				for (let index = 0; index < stepCount; index++) {
					if (checkContracts) response.sentByStep = index;
					const result = (stepRuns[index] as StepFunction)(floor, request, response);
					if (result instanceof Promise) return continueRoute(index, result, floor, request, response);
					// A step sent (the handler's respond(), or a signal a step's own try/catch swallowed).
					if (response.isSent) break;
				}
			} catch (thrown) {
				return settle(thrown, request, response);
			}
			return finish(request, response);
		},
	};
}
