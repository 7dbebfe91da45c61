// Abstract routes: a named prefix of steps (hooks, extract, checks...) from which routes are declared.
import { DeclarationError } from "./errors.js";
import { PipelineBuilder, type RouteBuilder, type Start } from "./route-builder.js";
import type {
	AbstractRoute,
	AbstractRouteDefinition,
	HttpMethod,
	PipelineDefinition,
	RouteOptions,
} from "./route-definition.js";

/** How an abstract route hands a route declaration back to its app. */
export type DeclareRouteFrom = (
	method: HttpMethod,
	path: string | readonly string[],
	options: RouteOptions,
	prefix: readonly PipelineDefinition[],
) => RouteBuilder<any>;

export function createAbstractRoute(
	name: string,
	parents: readonly PipelineDefinition[],
	declareRoute: DeclareRouteFrom,
): Start<object, { kind: "abstract" }> {
	if (name === "") throw new DeclarationError("An abstract route needs a name.");
	const builder = new PipelineBuilder(`abstract route ${name}`, {
		build: (pipeline, exports) => makeAbstractRoute(name, [...parents, pipeline], exports, declareRoute),
	});
	return builder as unknown as Start<object, { kind: "abstract" }>;
}

function makeAbstractRoute(
	name: string,
	pipelines: readonly PipelineDefinition[],
	exports: readonly string[],
	declareRoute: DeclareRouteFrom,
): AbstractRoute<any> {
	return {
		kind: "abstract",
		name,
		pipelines,
		exports,
		declareRoute: (method, path, options = {}) => declareRoute(method, path, options, pipelines),
		declareAbstractRoute: (child) => createAbstractRoute(child, pipelines, declareRoute) as never,
	};
}

type ExportsOf<A> = A extends AbstractRoute<infer E> ? E : never;
type Intersect<T extends readonly unknown[]> = T extends readonly [infer Head, ...infer Tail]
	? Head & Intersect<Tail>
	: unknown;

/** Runs the abstract routes one after the other; routes declared from the result see every export. */
export function mergeAbstractRoutes<const A extends readonly AbstractRoute<any>[]>(
	name: string,
	routes: A,
	declareRoute: DeclareRouteFrom,
): AbstractRoute<Intersect<{ [I in keyof A]: ExportsOf<A[I]> }> & object> {
	if (routes.length < 2) throw new DeclarationError(`mergeAbstractRoutes(${name}) needs at least two abstract routes.`);
	// Abstract routes declared from a common parent share its pipeline: run it once.
	const pipelines = [...new Set(routes.flatMap((route: AbstractRouteDefinition) => route.pipelines))];
	const exports = [...new Set(routes.flatMap((route: AbstractRouteDefinition) => route.exports))];
	return makeAbstractRoute(name, pipelines, exports, declareRoute);
}
