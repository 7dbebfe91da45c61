// Tests run against the security services' mutants: their unit tests and the processes' route tests, on PGlite,
// without the contract-coverage recorder (mutants would distort its report).
import { defineConfig } from "vitest/config";

export default defineConfig({
	test: {
		include: [
			"test/services/passwords.test.ts",
			"test/services/tokens.test.ts",
			"test/services/totp.test.ts",
			"test/services/login-throttle.test.ts",
			"test/services/sessions.test.ts",
			"test/services/password-reset.test.ts",
			"test/processes/authenticated.test.ts",
			"test/processes/user-has-right.test.ts",
		],
		pool: "forks",
		maxWorkers: 1,
		testTimeout: 20_000,
		hookTimeout: 60_000,
		env: { APP_ENV: "TEST" },
		globalSetup: ["test/helpers/global-setup.ts"],
		setupFiles: ["test/helpers/vitest-setup.ts"],
	},
});
