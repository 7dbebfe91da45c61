import { type App, type Response, text } from "../../core/index.js";
import type { CachedReference, ReferenceCache } from "../../services/reference-cache.js";
import { type ReferenceResource, referenceResources } from "../../services/reference-data.js";
import { type ReferenceAnswers, referenceAnswers } from "./answers.js";

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

/** Sends the entry's list, or 304 when the client's copy is current; both carry the entry's validators. */
function sendList(
	response: Response<ReferenceAnswers["list"] | ReferenceAnswers["notModified"]>,
	{ list, notModified }: ReferenceAnswers,
	entry: CachedReference,
	ifNoneMatch: string | undefined,
): never {
	response.headers({ etag: entry.etag, "cache-control": cacheControl });
	if (ifNoneMatchHits(ifNoneMatch, entry.etag)) return notModified.send(response);
	return list.send(response, entry.body);
}

function declareReferenceList(app: App, cache: ReferenceCache, resource: ReferenceResource): void {
	const answers = referenceAnswers[resource];
	app
		.declareRoute("GET", `/api/${resource}`)
		.extract({ headers: { "if-none-match": text().optional() } })
		.handler(
			({ pickup }, response) => {
				// A hit answers synchronously: the executor awaits nothing on the hot path.
				const fresh = cache.peek(resource);
				if (fresh !== undefined) return sendList(response, answers, fresh, pickup("if-none-match"));
				return cache.get(resource).then((entry) => sendList(response, answers, entry, pickup("if-none-match")));
			},
			answers.list,
			answers.notModified,
		);
}

export function declareReferenceRoutes(app: App, cache: ReferenceCache): void {
	for (const resource of referenceResources) declareReferenceList(app, cache, resource);
}
