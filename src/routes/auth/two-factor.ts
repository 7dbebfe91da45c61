// 2FA routes for a signed-in user: setup (secret + otpauth URI), enable with a first code, disable with a code.
import { type App, text } from "../../core/index.js";
import type { IdentityRouteDependencies } from "../guards.js";
import { twoFactorAnswers } from "./answers.js";

const codeBody = { code: text().trim().min(1).max(16) };

export function declareTwoFactorRoutes(_app: App, { services, guards }: IdentityRouteDependencies): void {
	const { twoFactor } = services;
	const { authenticatedRoute } = guards;
	const { alreadyEnabled, notEnabled, notSetup, codeInvalid } = twoFactorAnswers;

	authenticatedRoute.declareRoute("POST", "/api/auth/2fa/setup").handler(
		async ({ pickup }, response) => {
			const setup = await twoFactor.setup(pickup("user").id);
			if (setup.status === "already-enabled") return alreadyEnabled.send(response);
			// The one time the secret leaves the server: the user's authenticator needs it.
			twoFactorAnswers.setup.send(response, { secret: setup.secret, otpauthUri: setup.otpauthUri });
		},
		twoFactorAnswers.setup,
		alreadyEnabled,
	);

	authenticatedRoute
		.declareRoute("POST", "/api/auth/2fa/enable")
		.extract({ body: codeBody })
		.handler(
			async ({ pickup }, response) => {
				const change = await twoFactor.enable(pickup("user").id, pickup("code"));
				if (change.status === "already-enabled") return alreadyEnabled.send(response);
				if (change.status === "not-setup") return notSetup.send(response);
				if (change.status === "code-invalid") return codeInvalid.send(response);
				twoFactorAnswers.enabled.send(response);
			},
			twoFactorAnswers.enabled,
			alreadyEnabled,
			notSetup,
			codeInvalid,
		);

	authenticatedRoute
		.declareRoute("DELETE", "/api/auth/2fa")
		.extract({ body: codeBody })
		.handler(
			async ({ pickup }, response) => {
				const change = await twoFactor.disable(pickup("user").id, pickup("code"));
				if (change.status === "not-enabled") return notEnabled.send(response);
				if (change.status === "code-invalid") return codeInvalid.send(response);
				twoFactorAnswers.disabled.send(response);
			},
			twoFactorAnswers.disabled,
			notEnabled,
			codeInvalid,
		);
}
