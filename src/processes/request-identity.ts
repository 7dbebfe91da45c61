// Who made a request, once `authenticated` resolved it: read by later processes of the same request (userHasRight).
import type { Request } from "../core/index.js";
import type { CurrentSession, PublicUser } from "../services/sessions.js";

export interface RequestIdentity {
	user: PublicUser;
	session: CurrentSession;
}

// A process has its own floor and cannot read the route's; a WeakMap keyed by the request carries the
// identity across processes without keeping it alive after the request.
const identities = new WeakMap<Request, RequestIdentity>();

export function rememberIdentity(request: Request, identity: RequestIdentity): void {
	identities.set(request, identity);
}

/** The identity `authenticated` found; throws when a route uses a guard before authenticating (a bug, so a 500). */
export function identityOf(request: Request): RequestIdentity {
	const identity = identities.get(request);
	if (identity === undefined) throw new Error(`${request.method} ${request.matchedPath}: run the authenticated process before this step.`);
	return identity;
}
