// Who opens a WebSocket: the upgrade runs outside the pipeline, so it reads its credential here, in the order a client
// may give one — a `?ticket=`, the Bearer header, or the session cookie from one of our own pages — with the refusals
// the `authenticated` process sends.
import type { Refusal, Request } from "../../core/index.js";
import { authenticatedAnswers } from "../../processes/answers.js";
import { isSameOrigin, readCredential } from "../../processes/authenticated.js";
import type { EventTicketService } from "../../services/event-tickets.js";
import type { IdentityServices } from "../../services/identity.js";
import { eventAnswers } from "./answers.js";

export type UpgradeIdentity =
	| { status: "authenticated"; userId: number; sessionId: number }
	| { status: "refused"; refusal: Refusal; headers?: Record<string, string> };

const invalidToken = { "www-authenticate": `Bearer error="invalid_token"` };

export function createUpgradeCredentials({
	sessions,
	settings,
	tickets,
}: Pick<IdentityServices, "sessions" | "settings"> & { tickets: EventTicketService }) {
	const { missing, malformed, invalid, expired, revoked, csrfRejected } = authenticatedAnswers;
	const { ticketInvalid, ticketExpired } = eventAnswers;
	const refused = (refusal: Refusal, headers?: Record<string, string>): UpgradeIdentity =>
		headers === undefined ? { status: "refused", refusal } : { status: "refused", refusal, headers };

	return async function identify(request: Request): Promise<UpgradeIdentity> {
		const ticket = request.query.ticket;
		if (ticket !== undefined) {
			if (typeof ticket !== "string") return refused(ticketInvalid);
			const redeemed = await tickets.redeem(ticket);
			if (redeemed.status === "valid")
				return { status: "authenticated", userId: redeemed.userId, sessionId: redeemed.sessionId };
			if (redeemed.status === "invalid") return refused(ticketInvalid);
			if (redeemed.status === "expired") return refused(ticketExpired);
			return refused(redeemed.status === "session-expired" ? expired : revoked);
		}
		const credential = readCredential(request);
		if (credential === null) return refused(missing);
		if (credential === "malformed") return refused(malformed);
		// Browsers send the cookie on a cross-site WebSocket too, and the handshake is a GET no CORS check guards: the
		// origin check of cookie writes applies to every cookie-opened socket (browsers always send Origin here).
		if (credential.via === "cookie" && !isSameOrigin(request, settings.allowedOrigins)) return refused(csrfRejected);
		const result = await sessions.authenticate(credential.token);
		if (result.status === "valid")
			return { status: "authenticated", userId: result.user.id, sessionId: result.session.id };
		if (result.status === "invalid") return refused(invalid, invalidToken);
		return refused(result.status === "expired" ? expired : revoked, invalidToken);
	};
}

export type UpgradeCredentials = ReturnType<typeof createUpgradeCredentials>;
