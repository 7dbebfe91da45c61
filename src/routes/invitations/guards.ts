// The invitation checker, built once per app; the invitation routes refuse each of its infos (see invitations.ts).
import { createInvitationValid } from "../../checkers/invitation-valid.js";
import type { IdentityServices } from "../../services/identity.js";

export function createInvitationGuards({ invitations }: Pick<IdentityServices, "invitations">) {
	return { invitationValid: createInvitationValid(invitations) };
}

export type InvitationGuards = ReturnType<typeof createInvitationGuards>;
