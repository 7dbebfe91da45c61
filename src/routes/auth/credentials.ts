// Routes that open sessions: register, login (throttled), the 2FA second step, and refresh-token rotation.
import { z } from "zod";
import { type App, storableTextCheck, text } from "../../core/index.js";
import { passwordMaxLength, passwordPolicyProblem } from "../../services/user-accounts.js";
import type { IdentityRouteDependencies } from "../guards.js";
import { credentialAnswers, passwordWeak } from "./answers.js";
import { sessionBody, sessionMeta, setSessionCookie } from "./session-answer.js";

export function declareCredentialRoutes(app: App, { services, guards }: IdentityRouteDependencies): void {
	const { userAccounts, throttle, twoFactor, sessions, settings } = services;
	const { userExist } = guards;

	app
		.declareRoute("POST", "/api/auth/register")
		.extract({
			body: {
				email: z.email().max(320).check(storableTextCheck),
				password: text().max(passwordMaxLength),
				displayName: text().trim().min(1).max(64),
			},
		})
		.cut(
			({ pickup }, response) => {
				const problem = passwordPolicyProblem(pickup("password"), pickup("email"));
				if (problem !== null) passwordWeak.send(response, problem);
			},
			[],
			passwordWeak,
		)
		.check(userExist, {
			input: (pickup) => pickup("email"),
			options: { by: "email" },
			result: "user.notfound",
			catch: credentialAnswers.emailTaken,
		})
		.handler(
			async ({ pickup }, response) => {
				const result = await userAccounts.register({
					email: pickup("email"),
					password: pickup("password"),
					displayName: pickup("displayName"),
				});
				if (result.status === "taken") return credentialAnswers.emailTaken.send(response);
				credentialAnswers.registered.send(response, { user: result.user });
			},
			credentialAnswers.registered,
			credentialAnswers.emailTaken,
		);

	app
		.declareRoute("POST", "/api/auth/login")
		.extract({ body: { email: text().trim().min(1).max(320), password: text().min(1).max(passwordMaxLength) } })
		.cut(
			async ({ pickup }, response, request) => {
				const decision = await throttle.check(pickup("email").toLowerCase(), request.ip);
				if (!decision.allowed) {
					request.logger.warn({ event: "login.throttled", ip: request.ip }, "login refused: too many failures");
					response.header("retry-after", String(decision.retryAfterSeconds));
					credentialAnswers.throttled.send(response);
				}
			},
			[],
			credentialAnswers.throttled,
		)
		.cut(
			async ({ pickup }, response, request) => {
				const user = await userAccounts.verifyCredentials(
					{ email: pickup("email"), password: pickup("password") },
					request.ip,
				);
				if (user === null) {
					// Audit trail without the attempted password (pino also redacts *.password).
					request.logger.info({ event: "login.failed", ip: request.ip }, "login failed");
					return credentialAnswers.credentialsInvalid.send(response);
				}
				return { user };
			},
			["user"],
			credentialAnswers.credentialsInvalid,
		)
		.handler(
			async ({ pickup }, response, request) => {
				const start = await userAccounts.startLogin(pickup("user"), sessionMeta(request));
				if (start.status === "challenge") {
					return credentialAnswers.secondFactorRequired.send(response, {
						secondFactorRequired: true,
						challengeToken: start.challengeToken,
						expiresAt: start.expiresAt.toISOString(),
					});
				}
				setSessionCookie(response, start.tokens, settings);
				credentialAnswers.loggedIn.send(response, sessionBody(start.tokens, start.user));
			},
			credentialAnswers.loggedIn,
			credentialAnswers.secondFactorRequired,
		);

	app
		.declareRoute("POST", "/api/auth/2fa/verify")
		.extract({ body: { challengeToken: text().min(1).max(128), code: text().trim().min(1).max(16) } })
		.handler(
			async ({ pickup }, response, request) => {
				const outcome = await twoFactor.verifyChallenge(pickup("challengeToken"), pickup("code"), sessionMeta(request));
				if (outcome.status !== "session") {
					if (outcome.status === "challenge-invalid") credentialAnswers.challengeInvalid.send(response);
					return credentialAnswers.codeInvalid.send(response);
				}
				setSessionCookie(response, outcome.tokens, settings);
				credentialAnswers.loggedIn.send(response, sessionBody(outcome.tokens, outcome.user));
			},
			credentialAnswers.loggedIn,
			credentialAnswers.challengeInvalid,
			credentialAnswers.codeInvalid,
		);

	app
		.declareRoute("POST", "/api/auth/refresh")
		.extract({ body: { refreshToken: text().min(1).max(128) } })
		.handler(
			async ({ pickup }, response, request) => {
				const rotation = await sessions.refresh(pickup("refreshToken"));
				switch (rotation.status) {
					case "reused":
						request.logger.warn({ event: "refresh.reused", ip: request.ip }, "refresh token reused: session revoked");
						return credentialAnswers.refreshReused.send(response);
					case "revoked":
						return credentialAnswers.sessionRevoked.send(response);
					case "expired":
						return credentialAnswers.refreshExpired.send(response);
					case "invalid":
						return credentialAnswers.refreshInvalid.send(response);
				}
				const user = await userAccounts.findPublicUser(rotation.userId);
				if (user === undefined) return credentialAnswers.refreshInvalid.send(response);
				setSessionCookie(response, rotation.tokens, settings);
				credentialAnswers.refreshed.send(response, sessionBody(rotation.tokens, user));
			},
			credentialAnswers.refreshed,
			credentialAnswers.refreshReused,
			credentialAnswers.refreshExpired,
			credentialAnswers.refreshInvalid,
			credentialAnswers.sessionRevoked,
		);
}
