// Mutation testing (`npm run test:mutation`): mutates src/core and the security services, runs the tests that cover
// each mutant (per-test coverage), type-checks mutants first, and writes reports/mutation/mutation.{json,html}.
/** @type {import("@stryker-mutator/api/core").PartialStrykerOptions} */
export default {
	testRunner: "vitest",
	vitest: { configFile: "vitest.mutation.config.ts", related: false },
	checkers: ["typescript"],
	tsconfigFile: "tsconfig.json",
	typescriptChecker: { prioritizePerformanceOverAccuracy: true },
	coverageAnalysis: "perTest",
	mutate: [
		"src/core/**/*.ts",
		"src/services/sessions.ts",
		"src/services/passwords.ts",
		"src/services/tokens.ts",
		"src/services/totp.ts",
		"src/services/login-throttle.ts",
		"src/services/password-reset.ts",
		"src/processes/authenticated.ts",
		"src/processes/user-has-right.ts",
	],
	ignorePatterns: ["/dist", "/coverage", "/reports", "/bench", "/.data"],
	reporters: ["clear-text", "progress", "html", "json"],
	htmlReporter: { fileName: "reports/mutation/mutation.html" },
	jsonReporter: { fileName: "reports/mutation/mutation.json" },
	concurrency: 2,
	timeoutMS: 5_000,
	thresholds: { high: 90, low: 85, break: null },
	tempDirName: ".stryker-tmp",
	cleanTempDir: "always",
};
