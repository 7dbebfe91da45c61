// The caller's own account: read it, change display name or locale, change the password.
import { z } from "zod";
import { type App, IHaveSentThis, text } from "../../core/index.js";
import { fail, refusal } from "../../responses.js";
import { passwordMaxLength } from "../../services/accounts.js";
import type { IdentityRouteDependencies } from "../guards.js";
import { publicUserSchema } from "../schemas.js";

const userBody = z.object({ user: publicUserSchema });

export function declareMeRoutes(_app: App, { services, guards }: IdentityRouteDependencies): void {
	const { accounts } = services;
	const { authenticatedRoute } = guards;

	authenticatedRoute.declareRoute("GET", "/api/me").handler(
		({ pickup }, response) =>
			response
				.code(200)
				.info("user.found")
				.send({ user: pickup("user") }),
		new IHaveSentThis(200, "user.found", userBody),
	);

	authenticatedRoute
		.declareRoute("PATCH", "/api/me")
		.extract({
			body: {
				displayName: text().trim().min(1).max(64).optional(),
				// BCP 47-ish: "fr", "en", "pt-BR".
				locale: text()
					.regex(/^[a-z]{2,3}(-[A-Z]{2})?$/)
					.optional(),
			},
		})
		.handler(
			async ({ pickup }, response) => {
				const user = await accounts.updateProfile(pickup("user").id, {
					displayName: pickup("displayName"),
					locale: pickup("locale"),
				});
				response.code(200).info("user.updated").send({ user });
			},
			new IHaveSentThis(200, "user.updated", userBody),
		);

	authenticatedRoute
		.declareRoute("POST", "/api/me/password")
		.extract({ body: { current: text().min(1).max(passwordMaxLength), new: text().max(passwordMaxLength) } })
		.handler(
			async ({ pickup }, response) => {
				const outcome = await accounts.changePassword(pickup("user").id, pickup("session").id, {
					current: pickup("current"),
					new: pickup("new"),
				});
				if (outcome.status === "incorrect") fail(response, 403, "password.incorrect", "The current password is wrong.");
				if (outcome.status === "weak") fail(response, 400, "password.weak", outcome.problem);
				// Other sessions were signed out; this one goes on.
				response.code(204).info("password.changed").send();
			},
			new IHaveSentThis(204, "password.changed"),
			refusal(403, "password.incorrect"),
			refusal(400, "password.weak"),
		);
}
