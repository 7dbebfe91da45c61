// Routes that open sessions: register, login (throttled), the 2FA second step, and refresh-token rotation.
import { z } from "zod";
import { type App, IHaveSentThis, storableTextCheck, text } from "../../core/index.js";
import { fail, refusal } from "../../responses.js";
import { passwordMaxLength, passwordPolicyProblem } from "../../services/accounts.js";
import type { IdentityRouteDependencies } from "../guards.js";
import { publicUserSchema } from "../schemas.js";
import { sendSession, sessionBodySchema, sessionMeta } from "./session-answer.js";

const challengeBodySchema = z.object({
	secondFactorRequired: z.literal(true),
	challengeToken: z.string(),
	expiresAt: z.string(),
});

export function declareCredentialRoutes(app: App, { services, guards }: IdentityRouteDependencies): void {
	const { accounts, throttle, twoFactor, sessions, settings } = services;
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
				if (problem !== null) fail(response, 400, "password.weak", problem);
			},
			[],
			refusal(400, "password.weak"),
		)
		.check(
			userExist,
			{
				input: (pickup) => pickup("email"),
				options: { by: "email" },
				result: "user.notfound",
				catch: (response) => fail(response, 409, "email.taken", "An account already uses this email."),
			},
			refusal(409, "email.taken"),
		)
		.handler(
			async ({ pickup }, response) => {
				const result = await accounts.register({
					email: pickup("email"),
					password: pickup("password"),
					displayName: pickup("displayName"),
				});
				if (result.status === "taken") fail(response, 409, "email.taken", "An account already uses this email.");
				response.code(201).info("user.registered").send({ user: result.user });
			},
			new IHaveSentThis(201, "user.registered", z.object({ user: publicUserSchema })),
			refusal(409, "email.taken"),
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
					fail(response, 429, "login.throttled", "Too many failed logins: try again later.");
				}
			},
			[],
			refusal(429, "login.throttled"),
		)
		.cut(
			async ({ pickup }, response, request) => {
				const user = await accounts.verifyCredentials(
					{ email: pickup("email"), password: pickup("password") },
					request.ip,
				);
				if (user === null) {
					// Audit trail without the attempted password (pino also redacts *.password).
					request.logger.info({ event: "login.failed", ip: request.ip }, "login failed");
					fail(response, 401, "credentials.invalid", "Wrong email or password.");
				}
				return { user };
			},
			["user"],
			refusal(401, "credentials.invalid"),
		)
		.handler(
			async ({ pickup }, response, request) => {
				const start = await accounts.startLogin(pickup("user"), sessionMeta(request));
				if (start.status === "challenge") {
					return response.code(200).info("login.second_factor_required").send({
						secondFactorRequired: true,
						challengeToken: start.challengeToken,
						expiresAt: start.expiresAt.toISOString(),
					});
				}
				sendSession(response, "login.success", start.tokens, start.user, settings);
			},
			new IHaveSentThis(200, "login.success", sessionBodySchema),
			new IHaveSentThis(200, "login.second_factor_required", challengeBodySchema),
		);

	app
		.declareRoute("POST", "/api/auth/2fa/verify")
		.extract({ body: { challengeToken: text().min(1).max(128), code: text().trim().min(1).max(16) } })
		.handler(
			async ({ pickup }, response, request) => {
				const outcome = await twoFactor.verifyChallenge(pickup("challengeToken"), pickup("code"), sessionMeta(request));
				if (outcome.status !== "session") {
					if (outcome.status === "challenge-invalid")
						fail(response, 401, "challenge.invalid", "The login challenge is unknown, expired or used: log in again.");
					fail(response, 401, "2fa.code_invalid", "The authentication code is wrong.");
				}
				sendSession(response, "login.success", outcome.tokens, outcome.user, settings);
			},
			new IHaveSentThis(200, "login.success", sessionBodySchema),
			refusal(401, ["challenge.invalid", "2fa.code_invalid"]),
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
						return fail(
							response,
							401,
							"refresh.reused",
							"This refresh token was already used: the session is revoked.",
						);
					case "revoked":
						return fail(response, 401, "session.revoked", "The session was revoked.");
					case "expired":
						return fail(response, 401, "refresh.expired", "The refresh token has expired: log in again.");
					case "invalid":
						return fail(response, 401, "refresh.invalid", "The refresh token is not valid.");
				}
				const user = await accounts.findPublicUser(rotation.userId);
				if (user === undefined) fail(response, 401, "refresh.invalid", "The refresh token is not valid.");
				sendSession(response, "session.refreshed", rotation.tokens, user, settings);
			},
			new IHaveSentThis(200, "session.refreshed", sessionBodySchema),
			refusal(401, ["refresh.reused", "refresh.expired", "refresh.invalid", "session.revoked"]),
		);
}
