// 2FA routes for a signed-in user: setup (secret + otpauth URI), enable with a first code, disable with a code.
import { type App, type Response, text } from "../../core/index.js";
import type { TwoFactorChange } from "../../services/two-factor.js";
import type { IdentityRouteDependencies } from "../guards.js";
import { twoFactorAnswers } from "./answers.js";

const codeBody = { code: text().trim().min(1).max(16) };

/** Sends the refusal of a change that was not made; each route declares those its change can give. */
function refuse(response: Response, change: TwoFactorChange): undefined {
	switch (change.status) {
		case "already-enabled":
			return twoFactorAnswers.alreadyEnabled.send(response);
		case "not-enabled":
			return twoFactorAnswers.notEnabled.send(response);
		case "not-setup":
			return twoFactorAnswers.notSetup.send(response);
		case "code-invalid":
			return twoFactorAnswers.codeInvalid.send(response);
	}
}

export function declareTwoFactorRoutes(_app: App, { services, guards }: IdentityRouteDependencies): void {
	const { twoFactor } = services;
	const { authenticatedRoute } = guards;

	authenticatedRoute.declareRoute("POST", "/api/auth/2fa/setup").handler(
		async ({ pickup }, response) => {
			const setup = await twoFactor.setup(pickup("user").id);
			if (setup.status === "already-enabled") return twoFactorAnswers.alreadyEnabled.send(response);
			// The one time the secret leaves the server: the user's authenticator needs it.
			twoFactorAnswers.setup.send(response, { secret: setup.secret, otpauthUri: setup.otpauthUri });
		},
		twoFactorAnswers.setup,
		twoFactorAnswers.alreadyEnabled,
	);

	authenticatedRoute
		.declareRoute("POST", "/api/auth/2fa/enable")
		.extract({ body: codeBody })
		.handler(
			async ({ pickup }, response) => {
				refuse(response, await twoFactor.enable(pickup("user").id, pickup("code")));
				twoFactorAnswers.enabled.send(response);
			},
			twoFactorAnswers.enabled,
			twoFactorAnswers.alreadyEnabled,
			twoFactorAnswers.notSetup,
			twoFactorAnswers.codeInvalid,
		);

	authenticatedRoute
		.declareRoute("DELETE", "/api/auth/2fa")
		.extract({ body: codeBody })
		.handler(
			async ({ pickup }, response) => {
				refuse(response, await twoFactor.disable(pickup("user").id, pickup("code")));
				twoFactorAnswers.disabled.send(response);
			},
			twoFactorAnswers.disabled,
			twoFactorAnswers.notEnabled,
			twoFactorAnswers.codeInvalid,
		);
}
