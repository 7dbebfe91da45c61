// Mutation run over the security services and the processes that guard routes, with the tests that exercise them.
import { mutationRun } from "./shared.mjs";

export default {
	...mutationRun({
		part: "security",
		mutate: [
			"src/services/sessions.ts",
			"src/services/passwords.ts",
			"src/services/tokens.ts",
			"src/services/totp.ts",
			"src/services/login-throttle.ts",
			"src/services/password-reset.ts",
			"src/processes/authenticated.ts",
			"src/processes/user-has-right.ts",
		],
		vitestConfig: "stryker/vitest.security.config.ts",
	}),
	// Its tests run on PGlite: on a loaded machine the first, coverage-measuring run takes longer than Stryker's 5 min.
	dryRunTimeoutMinutes: 30,
};
