// Forgotten-password routes: request a reset token by mail (always 202), then reset with it (every session revoked).
import { z } from "zod";
import { type App, IHaveSentThis, text } from "../../core/index.js";
import { fail, refusal } from "../../responses.js";
import { passwordMaxLength } from "../../services/accounts.js";
import type { IdentityRouteDependencies } from "../guards.js";

export function declarePasswordRoutes(app: App, { services }: IdentityRouteDependencies): void {
	const { passwordReset } = services;

	app
		.declareRoute("POST", "/api/auth/password/forgot")
		.extract({ body: { email: text().trim().min(1).max(320) } })
		.handler(
			async ({ pickup }, response) => {
				// The same answer whether or not an account has this email: the mail is the only channel that tells.
				await passwordReset.requestReset(pickup("email"));
				response
					.code(202)
					.info("password.reset_requested")
					.send({ message: "If an account has this email, a reset code was sent to it." });
			},
			new IHaveSentThis(202, "password.reset_requested", z.object({ message: z.string() })),
		);

	app
		.declareRoute("POST", "/api/auth/password/reset")
		.extract({ body: { token: text().min(1).max(128), password: text().max(passwordMaxLength) } })
		.handler(
			async ({ pickup }, response) => {
				const outcome = await passwordReset.reset(pickup("token"), pickup("password"));
				if (outcome.status === "invalid")
					fail(response, 400, "reset.invalid", "The reset code is unknown or was already used.");
				if (outcome.status === "expired")
					fail(response, 400, "reset.expired", "The reset code has expired: ask for a new one.");
				if (outcome.status === "weak") fail(response, 400, "password.weak", outcome.problem);
				response.code(204).info("password.reset").send();
			},
			new IHaveSentThis(204, "password.reset"),
			refusal(400, ["reset.invalid", "reset.expired", "password.weak"]),
		);
}
