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

export class Router<Store> {
	private readonly tree = FindMyWay({ ignoreTrailingSlash: true, maxParamLength: 500 });
	private readonly methods = new Set<HttpMethod>();

	add(method: HttpMethod, path: string, store: Store): void {
		const routerPath = toRouterPath(path);
		if (this.tree.hasRoute(method, routerPath)) {
			throw new DeclarationError(`Two routes are declared for ${method} ${path}.`);
		}
		this.tree.on(method, routerPath, () => undefined, store as object);
		this.methods.add(method);
	}

	has(method: HttpMethod, path: string): boolean {
		return this.tree.hasRoute(method, toRouterPath(path));
	}

	find(method: string, path: string): RouteMatch<Store> | null {
		return this.tree.find(method as HttpMethod, path) as RouteMatch<Store> | null;
	}

	/** Methods that have a route for this path (for a 405 `Allow` header). */
	allowedMethods(path: string): HttpMethod[] {
		const allowed: HttpMethod[] = [];
		for (const method of this.methods) if (this.tree.find(method, path) !== null) allowed.push(method);
		return allowed;
	}
}
