// How the auth routes answer a new session: tokens in the body, the access token in the `session` cookie.
import type { AllowedAnswer, Request, Response } from "../../core/index.js";
import { sessionCookieName } from "../../processes/authenticated.js";
import type { IssuedTokens, PublicUser, SessionMeta } from "../../services/sessions.js";
import type { IdentitySettings } from "../../services/settings.js";

export function sessionMeta(request: Request): SessionMeta {
	const agent = request.headers["user-agent"];
	return { userAgent: typeof agent === "string" ? agent : undefined, ip: request.ip };
}

/** HttpOnly (no script reads it), SameSite=Lax (not sent on cross-site subrequests), Secure outside DEV/TEST. */
export function setSessionCookie<Allowed extends AllowedAnswer>(
	response: Response<Allowed>,
	tokens: IssuedTokens,
	settings: IdentitySettings,
): Response<Allowed> {
	return response.setCookie(sessionCookieName, tokens.accessToken, {
		httpOnly: true,
		sameSite: "lax",
		secure: settings.cookieSecure,
		path: "/",
		maxAge: Math.floor(settings.accessTokenTtlMs / 1000),
	});
}

export function clearSessionCookie<Allowed extends AllowedAnswer>(
	response: Response<Allowed>,
	settings: IdentitySettings,
): Response<Allowed> {
	return response.clearCookie(sessionCookieName, {
		httpOnly: true,
		sameSite: "lax",
		secure: settings.cookieSecure,
		path: "/",
	});
}

/** The body of a session answer (`credentialAnswers.loggedIn`, `.refreshed`), sent after `setSessionCookie`. */
export function sessionBody(tokens: IssuedTokens, user: PublicUser) {
	return {
		accessToken: tokens.accessToken,
		refreshToken: tokens.refreshToken,
		expiresAt: tokens.expiresAt.toISOString(),
		user,
	};
}
