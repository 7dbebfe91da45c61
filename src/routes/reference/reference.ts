import { type App, IHaveSentThis, type Response, text } from "../../core/index.js";
import type { CachedReference, ReferenceCache } from "../../services/reference-cache.js";
import { type ReferenceResource, referenceBodySchemas, referenceResources } from "../../services/reference-data.js";

// Browsers and proxies may reuse a list for 5 minutes without asking, then revalidate (a cheap 304). Shorter than
// the server's own TTL on purpose: a sync invalidates the server's cache, but nobody can reach the clients' copies,
// so this bounds how long a client shows a list that a sync has changed.
const cacheControl = "public, max-age=300";

/**
 * True when `If-None-Match` names the entity tag (RFC 9110 §13.1.2): `*`, or a comma-separated list compared
 * weakly (a `W/` prefix on either side is ignored).
 */
export function ifNoneMatchHits(header: string | undefined, etag: string): boolean {
	if (header === undefined) return false;
	if (header.trim() === "*") return true;
	const opaque = (tag: string) => tag.trim().replace(/^W\//, "");
	const mine = opaque(etag);
	return header.split(",").some((tag) => opaque(tag) === mine);
}

function answer(
	response: Response,
	resource: ReferenceResource,
	entry: CachedReference,
	ifNoneMatch: string | undefined,
): never {
	response.headers({ etag: entry.etag, "cache-control": cacheControl });
	if (ifNoneMatchHits(ifNoneMatch, entry.etag)) return response.code(304).info(`${resource}.not_modified`).send();
	return response.code(200).info(`${resource}.list`).send(entry.body);
}

function declareReferenceList(app: App, cache: ReferenceCache, resource: ReferenceResource): void {
	app
		.declareRoute("GET", `/api/${resource}`)
		.extract({ headers: { "if-none-match": text().optional() } })
		.handler(
			({ pickup }, response) => {
				// A hit answers synchronously: the executor awaits nothing on the hot path.
				const fresh = cache.peek(resource);
				if (fresh !== undefined) return answer(response, resource, fresh, pickup("if-none-match"));
				return cache.get(resource).then((entry) => answer(response, resource, entry, pickup("if-none-match")));
			},
			new IHaveSentThis(200, `${resource}.list`, referenceBodySchemas[resource]),
			new IHaveSentThis(304, `${resource}.not_modified`),
		);
}

export function declareReferenceRoutes(app: App, cache: ReferenceCache): void {
	for (const resource of referenceResources) declareReferenceList(app, cache, resource);
}
