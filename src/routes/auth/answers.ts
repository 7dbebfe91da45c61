// What the auth routes answer, each said once: the routes send these values and declare them.
import { z } from "zod";
import { answer, refusal } from "../../core/index.js";
import { authenticatedAnswers } from "../../processes/answers.js";
import { publicUserSchema } from "../me/schemas.js";
import { sessionBodySchema, sessionItemSchema } from "./schemas.js";

/** Register, the password reset and the password change (/api/me/password): sent with the policy's own message. */
export const passwordWeak = refusal(400, "password.weak", "The password does not meet the password policy.");

export const credentialAnswers = {
	registered: answer(201, "user.registered", z.object({ user: publicUserSchema })),
	emailTaken: refusal(409, "email.taken", "An account already uses this email."),
	throttled: refusal(429, "login.throttled", "Too many failed logins: try again later."),
	credentialsInvalid: refusal(401, "credentials.invalid", "Wrong email or password."),
	loggedIn: answer(200, "login.success", sessionBodySchema),
	secondFactorRequired: answer(
		200,
		"login.second_factor_required",
		z.object({ secondFactorRequired: z.literal(true), challengeToken: z.string(), expiresAt: z.string() }),
	),
	challengeInvalid: refusal(401, "challenge.invalid", "The login challenge is unknown, expired or used: log in again."),
	codeInvalid: refusal(401, "2fa.code_invalid", "The authentication code is wrong."),
	refreshed: answer(200, "session.refreshed", sessionBodySchema),
	refreshReused: refusal(401, "refresh.reused", "This refresh token was already used: the session is revoked."),
	refreshExpired: refusal(401, "refresh.expired", "The refresh token has expired: log in again."),
	refreshInvalid: refusal(401, "refresh.invalid", "The refresh token is not valid."),
	/** The refresh token of a revoked session: what `authenticated` answers for its access token. */
	sessionRevoked: authenticatedAnswers.revoked,
};

export const passwordAnswers = {
	resetRequested: answer(202, "password.reset_requested", z.object({ message: z.string() })),
	reset: answer(204, "password.reset"),
	resetInvalid: refusal(400, "reset.invalid", "The reset code is unknown or was already used."),
	resetExpired: refusal(400, "reset.expired", "The reset code has expired: ask for a new one."),
};

export const sessionAnswers = {
	closed: answer(204, "session.closed"),
	allClosed: answer(204, "session.all_closed"),
	list: answer(200, "session.list", z.object({ sessions: z.array(sessionItemSchema) })),
	notFound: refusal(404, "session.notfound", "No such session."),
};

export const twoFactorAnswers = {
	setup: answer(200, "2fa.setup", z.object({ secret: z.string(), otpauthUri: z.string() })),
	enabled: answer(204, "2fa.enabled"),
	disabled: answer(204, "2fa.disabled"),
	alreadyEnabled: refusal(409, "2fa.already_enabled", "Two-factor authentication is already on."),
	notEnabled: refusal(409, "2fa.not_enabled", "Two-factor authentication is off."),
	notSetup: refusal(409, "2fa.not_setup", "Call POST /api/auth/2fa/setup first."),
	codeInvalid: refusal(400, "2fa.code_invalid", "The authentication code is wrong."),
};
