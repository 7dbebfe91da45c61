// Path matching with find-my-way: `{param}` paths, app prefix, trailing-slash tolerance, 405 lookups.
import FindMyWay from "find-my-way";
import { DeclarationError } from "./errors.js";
import type { HttpMethod } from "./route-definition.js";

export interface RouteMatch<Store> {
	store: Store;
	params: Record<string, string | undefined>;
}

/** `/users/{id}` → `/users/:id`, the syntax of find-my-way. */
export function toRouterPath(path: string): string {
	return path.replace(/\{([A-Za-z_$][\w$]*)\}/g, ":$1");
}

/** Joins the app prefix and a route path into one normalised path. */
export function joinPath(prefix: string, path: string): string {
	const joined = `/${prefix}/${path}`.replace(/\/{2,}/g, "/");
	return joined.length > 1 && joined.endsWith("/") ? joined.slice(0, -1) : joined;
}

/** A path find-my-way matches only as written: no parameter, wildcard or regexp, nothing it would decode. */
function isStaticPath(routerPath: string): boolean {
	return !/[:*(%]/.test(routerPath);
}

export class Router<Store> {
	private readonly tree = FindMyWay({ ignoreTrailingSlash: true, maxParamLength: 500 });
	private readonly methods = new Set<HttpMethod>();
	/**
	 * Paths without parameters, by method then exact path: one map lookup answers them before the tree is walked.
	 * Anything else (parameters, a trailing slash, percent-encoding) falls through to find-my-way.
	 */
	private readonly staticRoutes = new Map<string, Map<string, Store>>();

	add(method: HttpMethod, path: string, store: Store): void {
		const routerPath = toRouterPath(path);
		if (this.tree.hasRoute(method, routerPath)) {
			throw new DeclarationError(`Two routes are declared for ${method} ${path}.`);
		}
		this.tree.on(method, routerPath, () => undefined, store as object);
		this.methods.add(method);
		if (isStaticPath(routerPath)) {
			const byPath = this.staticRoutes.get(method) ?? new Map<string, Store>();
			this.staticRoutes.set(method, byPath);
			byPath.set(routerPath, store);
		}
	}

	has(method: HttpMethod, path: string): boolean {
		return this.tree.hasRoute(method, toRouterPath(path));
	}

	find(method: string, path: string): RouteMatch<Store> | null {
		const known = this.staticRoutes.get(method)?.get(path);
		// A fresh params object per request, as find-my-way gives: a step may write to it.
		if (known !== undefined) return { store: known, params: {} };
		return this.tree.find(method as HttpMethod, path) as RouteMatch<Store> | null;
	}

	/** Methods that have a route for this path (for a 405 `Allow` header). */
	allowedMethods(path: string): HttpMethod[] {
		const allowed: HttpMethod[] = [];
		for (const method of this.methods) if (this.tree.find(method, path) !== null) allowed.push(method);
		return allowed;
	}
}
