// What the `authenticated` and `userHasRight` processes refuse, each said once: their cuts send these values
// and declare them.
import { refusal } from "../core/index.js";

export const authenticatedAnswers = {
	missing: refusal(401, "session.missing", "Authentication is required."),
	malformed: refusal(401, "session.invalid", "The Authorization header must be `Bearer <token>`."),
	invalid: refusal(401, "session.invalid", "The session token is not valid."),
	expired: refusal(401, "session.expired", "The session has expired: refresh it."),
	/** Also the refresh route's answer for a refresh token of a revoked session. */
	revoked: refusal(401, "session.revoked", "The session was revoked."),
	csrfRejected: refusal(
		403,
		"csrf.rejected",
		"Cookie-authenticated requests that change data must come from an allowed origin.",
	),
};

export const userHasRightAnswers = {
	/** A guild the caller is not in answers exactly like a guild that does not exist (the guild routes reuse it). */
	guildNotFound: refusal(404, "guild.notfound", "No such guild."),
	/** Sent with the right it lacks: `Your role in this guild does not grant member.invite.` */
	rightMissing: refusal(403, "right.missing", "Your role in this guild does not grant this right."),
};
