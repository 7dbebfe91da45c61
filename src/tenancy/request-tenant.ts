// The guild a request's host resolved to, kept beside the request for the steps that ask (the guildFromHost process).
import type { Request } from "../core/index.js";
import type { HostTenant } from "./resolver.js";

// Beside the request rather than on it: the core's Request knows nothing of tenants.
const tenants = new WeakMap<Request, HostTenant>();

export function setRequestTenant(request: Request, tenant: HostTenant): void {
	tenants.set(request, tenant);
}

/** Undefined on the platform's own host without X-Guild. */
export function requestTenant(request: Request): HostTenant | undefined {
	return tenants.get(request);
}
