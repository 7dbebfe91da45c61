// Forgotten-password routes: request a reset token by mail (always 202), then reset with it (every session revoked).
import { type App, text } from "../../core/index.js";
import { passwordMaxLength } from "../../services/user-accounts.js";
import type { IdentityRouteDependencies } from "../guards.js";
import { passwordAnswers, passwordWeak } from "./answers.js";

export function declarePasswordRoutes(app: App, { services }: IdentityRouteDependencies): void {
	const { passwordReset } = services;

	app
		.declareRoute("POST", "/api/auth/password/forgot")
		.extract({ body: { email: text().trim().min(1).max(320) } })
		.handler(async ({ pickup }, response) => {
			// The same answer whether or not an account has this email: the mail is the only channel that tells.
			await passwordReset.requestReset(pickup("email"));
			passwordAnswers.resetRequested.send(response, {
				message: "If an account has this email, a reset code was sent to it.",
			});
		}, passwordAnswers.resetRequested);

	app
		.declareRoute("POST", "/api/auth/password/reset")
		.extract({ body: { token: text().min(1).max(128), password: text().max(passwordMaxLength) } })
		.handler(
			async ({ pickup }, response) => {
				const outcome = await passwordReset.reset(pickup("token"), pickup("password"));
				if (outcome.status === "invalid") return passwordAnswers.resetInvalid.send(response);
				if (outcome.status === "expired") return passwordAnswers.resetExpired.send(response);
				if (outcome.status === "weak") return passwordWeak.send(response, outcome.problem);
				passwordAnswers.reset.send(response);
			},
			passwordAnswers.reset,
			passwordAnswers.resetInvalid,
			passwordAnswers.resetExpired,
			passwordWeak,
		);
}
