// The public API of the pipeline framework.
export { App, createApp, type AppOptions } from "./app.js";
export {
	createChecker,
	createPresetChecker,
	type AnyChecker,
	type Checker,
	type CheckerOutput,
	type CheckerOutputFunction,
	type PresetChecker,
} from "./checker.js";
export { createProcess, type ProcessStart } from "./process.js";
export { IHaveSentThis, type Contract } from "./contracts.js";
export { Request, type RawRequest } from "./request.js";
export { Response, ResponseSignal, isResponseSignal, type CookieOptions, type HeaderValue, type ResponseSink } from "./response.js";
export type { Floor, Pickup } from "./floor.js";
export type { RouteHooks, RouteHookName, ServerHooks } from "./hooks.js";
export { defaultExtractErrorHandler, extractErrorBodySchema, type ExtractErrorHandler, type ExtractPart, type ExtractShape } from "./extract.js";
export { hasStorableTextCheck, storableTextCheck, storableTextPattern, text, unstorableTextProblem } from "./text.js";
export { defaultErrorHandler, type Environment, type ErrorHandler } from "./compile.js";
export type { ErrorAnswer } from "./error-answers.js";
export { DeclarationError, FrameworkInfo, NoResponseSentError, ResponseAlreadySentError } from "./errors.js";
export type { InjectRequest, InjectResponse } from "./inject.js";
export type {
	AbstractRoute,
	HttpMethod,
	Process,
	RouteBuilder,
	RouteDefinition,
	RouteOptions,
	Start,
	Steps,
} from "./steps.js";
export {
	declaredResponses,
	generateOpenApi,
	hasOwnContracts,
	operationIdOf,
	processesUsed,
	type DeclaredResponse,
	type OpenApiDocument,
	type OpenApiOptions,
	type SecurityRequirement,
	type SecuritySchemeObject,
} from "./openapi.js";
