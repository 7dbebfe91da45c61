// How the auth routes answer a new session: tokens in the body, the access token in the `session` cookie.
import type { Request, Response } from "../../core/index.js";
import { sessionCookieName } from "../../processes/authenticated.js";
import type { IssuedTokens, PublicUser, SessionMeta } from "../../services/sessions.js";
import type { IdentitySettings } from "../../services/settings.js";
import type { SessionAnswer } from "./answers.js";

export function sessionMeta(request: Request): SessionMeta {
	const agent = request.headers["user-agent"];
	return { userAgent: typeof agent === "string" ? agent : undefined, ip: request.ip };
}

/** HttpOnly (no script reads it), SameSite=Lax (not sent on cross-site subrequests), Secure outside DEV/TEST. */
export function setSessionCookie(response: Response, tokens: IssuedTokens, settings: IdentitySettings): Response {
	return response.setCookie(sessionCookieName, tokens.accessToken, {
		httpOnly: true,
		sameSite: "lax",
		secure: settings.cookieSecure,
		path: "/",
		maxAge: Math.floor(settings.accessTokenTtlMs / 1000),
	});
}

export function clearSessionCookie(response: Response, settings: IdentitySettings): Response {
	return response.clearCookie(sessionCookieName, {
		httpOnly: true,
		sameSite: "lax",
		secure: settings.cookieSecure,
		path: "/",
	});
}

/** Sends a session answer (`credentialAnswers.loggedIn`, `.refreshed`) with the cookie of its access token. */
export function sendSession(
	response: Response,
	answer: SessionAnswer,
	tokens: IssuedTokens,
	user: PublicUser,
	settings: IdentitySettings,
): never {
	setSessionCookie(response, tokens, settings);
	return answer.send(response, {
		accessToken: tokens.accessToken,
		refreshToken: tokens.refreshToken,
		expiresAt: tokens.expiresAt.toISOString(),
		user,
	});
}
