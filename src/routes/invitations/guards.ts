// The invitation checkers, built once per app, and their presets: a valid token (or why it is not), and the
// guild it invites to.
import { createGuildExist } from "../../checkers/guild-exist.js";
import { createInvitationValid } from "../../checkers/invitation-valid.js";
import { createPresetChecker, type Response } from "../../core/index.js";
import type { IdentityServices } from "../../services/identity.js";
import { invitationAnswers } from "./answers.js";

const { notFound, expired, used } = invitationAnswers;

/** The refusal of each info of a token that is not valid. */
function refuseInvitation(
	response: Response<typeof notFound | typeof expired | typeof used>,
	info: "invitation.notfound" | "invitation.expired" | "invitation.used",
): never {
	if (info === "invitation.notfound") notFound.send(response);
	if (info === "invitation.expired") expired.send(response);
	return used.send(response);
}

export function createInvitationGuards({ invitations, guilds }: Pick<IdentityServices, "invitations" | "guilds">) {
	const invitationValid = createInvitationValid(invitations);
	return {
		invitationValid,
		/** Drops `invitation` for a token that can be accepted; 404, or 410 for one expired or already used. */
		invitationFound: createPresetChecker(
			invitationValid,
			{ result: "invitation.valid", indexing: "invitation", catch: refuseInvitation },
			notFound,
			expired,
			used,
		),
		/** Drops `guild`: the invitation's guild, or its own refusal when the guild was deleted since. */
		invitationGuild: createPresetChecker(createGuildExist(guilds), {
			result: "guild.exist",
			indexing: "guild",
			catch: invitationAnswers.guildGone,
		}),
	};
}

export type InvitationGuards = ReturnType<typeof createInvitationGuards>;
