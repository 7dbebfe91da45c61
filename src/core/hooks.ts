// Lifecycle hooks: their names and signatures, lists of them, and a runner that stays synchronous when it can.
import type { Request } from "./request.js";
import type { Response } from "./response.js";

/** Hooks that run for a request, in this order (see docs/lifecycle.md). */
export interface RouteHooks {
	onConstructRequest: (request: Request) => unknown;
	onConstructResponse: (response: Response, request: Request) => unknown;
	beforeRouteExecution: (request: Request, response: Response) => unknown;
	/** Runs before the body is read; a hook that sets `request.body` replaces the built-in parser. */
	parsingBody: (request: Request, response: Response) => unknown;
	onError: (request: Request, response: Response, error: unknown) => unknown;
	beforeSend: (request: Request, response: Response) => unknown;
	afterSend: (request: Request, response: Response) => unknown;
	/** Runs when sending failed or a hook outside the pipeline threw; the client then gets a bare 500. */
	onServerError: (request: Request, response: Response, error: unknown) => unknown;
}

export type RouteHookName = keyof RouteHooks;

export const routeHookNames = [
	"onConstructRequest",
	"onConstructResponse",
	"beforeRouteExecution",
	"parsingBody",
	"onError",
	"beforeSend",
	"afterSend",
	"onServerError",
] as const satisfies readonly RouteHookName[];

export type HookLists = { [K in RouteHookName]: RouteHooks[K][] };

export function emptyHookLists(): HookLists {
	return {
		onConstructRequest: [],
		onConstructResponse: [],
		beforeRouteExecution: [],
		parsingBody: [],
		onError: [],
		beforeSend: [],
		afterSend: [],
		onServerError: [],
	};
}

/** Concatenates hook lists, earlier lists first. */
export function mergeHookLists(...lists: HookLists[]): HookLists {
	const merged = emptyHookLists();
	for (const list of lists) {
		for (const name of routeHookNames) (merged[name] as unknown[]).push(...list[name]);
	}
	return merged;
}

type AnyHook = (a: never, b: never, c: never) => unknown;

/**
 * Calls each hook in order with the same arguments. Returns undefined when every hook was synchronous,
 * otherwise a promise that settles after the last one; a hook's error propagates.
 */
export function runHooks<A, B, C>(hooks: readonly AnyHook[], a: A, b: B, c?: C): void | Promise<void> {
	for (let index = 0; index < hooks.length; index++) {
		const result = (hooks[index] as (a: A, b: B, c: C | undefined) => unknown)(a, b, c);
		if (result instanceof Promise) return continueHooks(hooks, index, result, a, b, c);
	}
}

async function continueHooks<A, B, C>(
	hooks: readonly AnyHook[],
	index: number,
	pending: Promise<unknown>,
	a: A,
	b: B,
	c: C | undefined,
): Promise<void> {
	await pending;
	for (let next = index + 1; next < hooks.length; next++) {
		await (hooks[next] as (a: A, b: B, c: C | undefined) => unknown)(a, b, c);
	}
}

/** Server-level hooks, registered with `app.addHook`. */
export interface ServerHooks<Route> {
	onDeclareRoute: (route: Route) => unknown;
	onReady: (address: { host: string; port: number } | undefined) => unknown;
	onClose: () => unknown;
}
