// What the invitation routes answer, each said once: the routes send these values and declare them.
import { z } from "zod";
import { answer, refusal } from "../../core/index.js";

const guildSummary = z.object({ id: z.number(), name: z.string() });

export const invitationAnswers = {
	found: answer(
		200,
		"invitation.found",
		z.object({
			guild: guildSummary,
			role: z.object({ id: z.number(), name: z.string() }),
			email: z.string(),
			expiresAt: z.string(),
		}),
	),
	accepted: answer(200, "invitation.accepted", z.object({ guild: guildSummary, roleId: z.number() })),
	notFound: refusal(404, "invitation.notfound", "No such invitation."),
	expired: refusal(410, "invitation.expired", "The invitation has expired."),
	used: refusal(410, "invitation.used", "The invitation was already accepted."),
	emailMismatch: refusal(403, "invitation.email_mismatch", "This invitation was sent to another email address."),
	/** The invitation stays valid: it can be accepted once a place frees up or the limit is raised. */
	guildFull: refusal(409, "guild.full", "The guild has reached its member limit."),
	/** The invitation's guild was deleted since. */
	guildGone: refusal(404, "guild.notfound", "The guild no longer exists."),
};
