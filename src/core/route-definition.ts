// The declared model: what routes, processes and abstract routes are once declared (hooks, extract,
// check / cut / process steps, handler), as the builder records them and the compilers read them.
import type { AnyChecker } from "./checker.js";
import type { Contract } from "./contracts.js";
import type { ExtractErrorHandler, ExtractShape } from "./extract.js";
import type { Floor } from "./floor.js";
import type { HookLists } from "./hooks.js";
import type { Request } from "./request.js";
import type { Response } from "./response.js";
import type { RouteBuilder, Start } from "./route-builder.js";

/** A floor's pickup as the declared model sees it: any key, any value. */
export type AnyPickup = (key: string) => unknown;

export interface ExtractDefinition {
	readonly shape: ExtractShape;
	readonly onError: ExtractErrorHandler | undefined;
}

export interface CheckStepDefinition {
	readonly kind: "check";
	readonly checker: AnyChecker;
	readonly input: (pickup: AnyPickup) => unknown;
	readonly result: string | readonly string[] | undefined;
	readonly catch: ((response: Response, info: string, data: unknown, pickup: AnyPickup) => unknown) | undefined;
	readonly indexing: string | undefined;
	readonly options: object | ((pickup: AnyPickup) => object) | undefined;
	readonly skip: ((pickup: AnyPickup) => boolean) | undefined;
	/** The step runs only when its input is not undefined. */
	readonly optional: boolean;
	readonly responses: readonly Contract[];
}

export interface CutStepDefinition {
	readonly kind: "cut";
	readonly cut: (floor: Floor<any>, response: Response, request: Request) => unknown;
	readonly drop: readonly string[];
	readonly responses: readonly Contract[];
}

export interface ProcessStepDefinition {
	readonly kind: "process";
	readonly process: ProcessDefinition;
	readonly input: ((pickup: AnyPickup) => unknown) | undefined;
	readonly options: object | ((pickup: AnyPickup) => object) | undefined;
	readonly pickup: readonly string[];
	readonly skip: ((pickup: AnyPickup) => boolean) | undefined;
	/** The process runs only when its input is not undefined. */
	readonly optional: boolean;
	readonly responses: readonly Contract[];
}

export type StepDefinition = CheckStepDefinition | CutStepDefinition | ProcessStepDefinition;

/** What a route, process or abstract route declares before its terminal call. */
export interface PipelineDefinition {
	readonly hooks: HookLists;
	extract: ExtractDefinition | undefined;
	readonly steps: StepDefinition[];
}

export interface ProcessDefinition {
	readonly kind: "process";
	readonly name: string;
	readonly defaultOptions: object;
	readonly pipeline: PipelineDefinition;
	/** Keys of the process floor that routes may pick up. */
	readonly exports: readonly string[];
	/** What the process itself may send (401, 403 ...), declared once for every route that uses it. */
	readonly responses: readonly Contract[];
	/** Runs at most once per request: later uses in the same request reuse the first run's floor. */
	readonly oncePerRequest: boolean;
}

/** A reusable sub-pipeline with its own floor; see `createProcess`. */
export interface Process<Input = unknown, Options extends object = object, Exports extends object = object>
	extends ProcessDefinition {
	/** Type-only: never set at run time. */
	readonly types?: { input: Input; options: Options; exports: Exports };
}

export type AnyProcess = Process<any, any, any>;
export type ProcessInput<P> = P extends Process<infer I, any, any> ? I : never;
export type ProcessOptions<P> = P extends Process<any, infer O, any> ? O : never;
export type ProcessExports<P> = P extends Process<any, any, infer E> ? E : never;

export type HttpMethod = "GET" | "HEAD" | "POST" | "PUT" | "PATCH" | "DELETE" | "OPTIONS";
export const httpMethods: readonly HttpMethod[] = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];

export interface RouteOptions {
	/** Largest accepted body for this route, in bytes (overrides the app's `bodyLimit`). */
	readonly bodyLimit?: number;
}

export interface RouteDefinition {
	readonly kind: "route";
	readonly method: HttpMethod;
	readonly paths: readonly string[];
	readonly options: RouteOptions;
	/** Abstract-route pipelines this route starts with, in order, then its own. */
	readonly pipelines: readonly PipelineDefinition[];
	readonly handler: (floor: Floor<any>, response: Response, request: Request) => unknown;
	readonly responses: readonly Contract[];
}

export interface AbstractRouteDefinition {
	readonly kind: "abstract";
	readonly name: string;
	readonly pipelines: readonly PipelineDefinition[];
	readonly exports: readonly string[];
}

/** A reusable prefix of steps from which routes (or other abstract routes) are declared. */
export interface AbstractRoute<Exports extends object = object> extends AbstractRouteDefinition {
	readonly types?: { exports: Exports };
	declareRoute(method: HttpMethod, path: string | readonly string[], options?: RouteOptions): RouteBuilder<Exports>;
	declareAbstractRoute(name: string): Start<Exports, { kind: "abstract" }>;
}
