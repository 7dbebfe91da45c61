// The `credentialSent` process: whether the request carries a session (Bearer or cookie), for routes open to anyone
// that tell a signed-in caller more: they run `authenticated` with `skip: (pickup) => !pickup("credentialSent")`.
import { createProcess } from "../core/index.js";
import { readCredential } from "./authenticated.js";

/**
 * A malformed Authorization header counts as sent: `authenticated` then refuses it (401), rather than the route
 * quietly treating a broken client as anonymous.
 */
export const credentialSent = createProcess("credentialSent")
	.oncePerRequest()
	.cut((_floor, _response, request) => ({ credentialSent: readCredential(request) !== null }), ["credentialSent"])
	.build(["credentialSent"]);
