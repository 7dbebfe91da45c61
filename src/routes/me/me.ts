// The caller's own user account: read it, change display name or locale, change the password.
import { type App, text } from "../../core/index.js";
import { passwordMaxLength } from "../../services/user-accounts.js";
import { passwordWeak } from "../auth/answers.js";
import type { IdentityRouteDependencies } from "../guards.js";
import { meAnswers } from "./answers.js";

export function declareMeRoutes(_app: App, { services, guards }: IdentityRouteDependencies): void {
	const { userAccounts } = services;
	const { authenticatedRoute } = guards;

	authenticatedRoute
		.declareRoute("GET", "/api/me")
		.handler(({ pickup }, response) => meAnswers.found.send(response, { user: pickup("user") }), meAnswers.found);

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
		.handler(async ({ pickup }, response) => {
			const user = await userAccounts.updateProfile(pickup("user").id, {
				displayName: pickup("displayName"),
				locale: pickup("locale"),
			});
			meAnswers.updated.send(response, { user });
		}, meAnswers.updated);

	authenticatedRoute
		.declareRoute("POST", "/api/me/password")
		.extract({ body: { current: text().min(1).max(passwordMaxLength), new: text().max(passwordMaxLength) } })
		.handler(
			async ({ pickup }, response) => {
				const outcome = await userAccounts.changePassword(pickup("user").id, pickup("session").id, {
					current: pickup("current"),
					new: pickup("new"),
				});
				if (outcome.status === "incorrect") return meAnswers.passwordIncorrect.send(response);
				if (outcome.status === "weak") return passwordWeak.send(response, outcome.problem);
				// Other sessions were signed out; this one goes on.
				meAnswers.passwordChanged.send(response);
			},
			meAnswers.passwordChanged,
			meAnswers.passwordIncorrect,
			passwordWeak,
		);
}
