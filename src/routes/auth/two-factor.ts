// 2FA routes for a signed-in user: setup (secret + otpauth URI), enable with a first code, disable with a code.
import { z } from "zod";
import type { Response } from "../../core/index.js";
import { type App, IHaveSentThis, text } from "../../core/index.js";
import { fail, refusal } from "../../responses.js";
import type { TwoFactorChange } from "../../services/two-factor.js";
import type { IdentityRouteDependencies } from "../guards.js";

const codeBody = { code: text().trim().min(1).max(16) };

function refuse(response: Response, change: TwoFactorChange): undefined {
	switch (change.status) {
		case "already-enabled":
			return fail(response, 409, "2fa.already_enabled", "Two-factor authentication is already on.");
		case "not-enabled":
			return fail(response, 409, "2fa.not_enabled", "Two-factor authentication is off.");
		case "not-setup":
			return fail(response, 409, "2fa.not_setup", "Call POST /api/auth/2fa/setup first.");
		case "code-invalid":
			return fail(response, 400, "2fa.code_invalid", "The authentication code is wrong.");
	}
}

export function declareTwoFactorRoutes(_app: App, { services, guards }: IdentityRouteDependencies): void {
	const { twoFactor } = services;
	const { authenticatedRoute } = guards;

	authenticatedRoute.declareRoute("POST", "/api/auth/2fa/setup").handler(
		async ({ pickup }, response) => {
			const setup = await twoFactor.setup(pickup("user").id);
			if (setup.status === "already-enabled")
				fail(response, 409, "2fa.already_enabled", "Two-factor authentication is already on.");
			// The one time the secret leaves the server: the user's authenticator needs it.
			response.code(200).info("2fa.setup").send({ secret: setup.secret, otpauthUri: setup.otpauthUri });
		},
		new IHaveSentThis(200, "2fa.setup", z.object({ secret: z.string(), otpauthUri: z.string() })),
		refusal(409, "2fa.already_enabled"),
	);

	authenticatedRoute
		.declareRoute("POST", "/api/auth/2fa/enable")
		.extract({ body: codeBody })
		.handler(
			async ({ pickup }, response) => {
				refuse(response, await twoFactor.enable(pickup("user").id, pickup("code")));
				response.code(204).info("2fa.enabled").send();
			},
			new IHaveSentThis(204, "2fa.enabled"),
			refusal(409, ["2fa.already_enabled", "2fa.not_setup"]),
			refusal(400, "2fa.code_invalid"),
		);

	authenticatedRoute
		.declareRoute("DELETE", "/api/auth/2fa")
		.extract({ body: codeBody })
		.handler(
			async ({ pickup }, response) => {
				refuse(response, await twoFactor.disable(pickup("user").id, pickup("code")));
				response.code(204).info("2fa.disabled").send();
			},
			new IHaveSentThis(204, "2fa.disabled"),
			refusal(409, "2fa.not_enabled"),
			refusal(400, "2fa.code_invalid"),
		);
}
