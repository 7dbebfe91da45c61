// Checker `invitationValid`: an invitation token that exists, has not expired and was not used yet.
import { createChecker } from "../core/index.js";
import type { InvitationService } from "../services/invitations.js";

export function createInvitationValid(invitations: InvitationService) {
	return createChecker("invitationValid").handler(async (token: string, output) => {
		const lookup = await invitations.lookup(token);
		switch (lookup.status) {
			case "valid":
				return output("invitation.valid", lookup.invitation);
			case "expired":
				return output("invitation.expired", null);
			case "used":
				return output("invitation.used", null);
			default:
				return output("invitation.notfound", null);
		}
	});
}
