// The public API of the pipeline framework.
export { type Answer, answer, type Refusal, type RefusalBody, refusal, refusalWith } from "./answer.js";
export { App, type AppOptions, createApp } from "./app.js";
export {
	type AnyChecker,
	type Checker,
	type CheckerOutput,
	type CheckerOutputFunction,
	createChecker,
	createPresetChecker,
	type PresetChecker,
} from "./checker.js";
export { type Contract, frameworkErrorBodySchema as errorBodySchema, IHaveSentThis } from "./contracts.js";
export type { ErrorAnswer } from "./error-answers.js";
export { DeclarationError, FrameworkInfo, NoResponseSentError, ResponseAlreadySentError } from "./errors.js";
export {
	EventStream,
	EventStreamAnswer,
	type EventStreamCloseReason,
	type EventStreamOptions,
	eventStream,
	formatServerSentEvent,
	type ServerSentEvent,
} from "./event-stream.js";
export { defaultErrorHandler, type Environment, type ErrorHandler } from "./executor.js";
export type { ExtractErrorPart } from "./extract.js";
export {
	defaultExtractErrorHandler,
	type ExtractErrorHandler,
	type ExtractPart,
	type ExtractShape,
	extractErrorBodySchema,
} from "./extract.js";
export type { Floor, Pickup } from "./floor.js";
export type { RouteHookName, RouteHooks, ServerHooks } from "./hooks.js";
export type { InjectRequest, InjectResponse } from "./inject.js";
export {
	type DeclaredResponse,
	declaredResponses,
	// The name test/openapi.test.ts knows it by: whether a route declares any response of its own.
	declaresContracts as hasOwnContracts,
	processesUsed,
} from "./introspect.js";
export { type FileFieldOptions, type Multipart, type MultipartOptions, multipart } from "./multipart.js";
export {
	generateOpenApi,
	type OpenApiDocument,
	type OpenApiOptions,
	operationIdOf,
	type SecurityRequirement,
	type SecuritySchemeObject,
} from "./openapi.js";
export { createProcess, type ProcessStart } from "./process.js";
export { type RawRequest, Request } from "./request.js";
export {
	type AllowedAnswer,
	type CookieOptions,
	type HeaderValue,
	isResponseSignal,
	Response,
	ResponseSignal,
	type ResponseSink,
} from "./response.js";
export type { RouteBuilder, Start, Steps } from "./route-builder.js";
export type { AbstractRoute, HttpMethod, Process, RouteDefinition, RouteOptions } from "./route-definition.js";
export { hasStorableTextCheck, storableTextCheck, storableTextPattern, text, unstorableTextProblem } from "./text.js";
export { type UpgradeAnswer, type UpgradeHandler, type UpgradeRequest, writeUpgradeAnswer } from "./upgrade.js";
export { UploadedFile } from "./uploaded-file.js";
