// What both mutation runs share (`npm run test:mutation`): per-test coverage, the TypeScript checker on each mutant,
// and reports under reports/mutation/<part>/. stryker/core.config.mjs and stryker/security.config.mjs add what to
// mutate and which tests to run.

/**
 * @param {{ part: string, mutate: string[], vitestConfig: string }} part
 * @returns {import("@stryker-mutator/api/core").PartialStrykerOptions}
 */
export function mutationRun({ part, mutate, vitestConfig }) {
	return {
		testRunner: "vitest",
		vitest: { configFile: vitestConfig, related: false },
		checkers: ["typescript"],
		tsconfigFile: "tsconfig.json",
		typescriptChecker: { prioritizePerformanceOverAccuracy: true },
		coverageAnalysis: "perTest",
		mutate,
		ignorePatterns: ["/dist", "/coverage", "/reports", "/bench", "/.data"],
		reporters: ["clear-text", "progress", "html", "json"],
		htmlReporter: { fileName: `reports/mutation/${part}/mutation.html` },
		jsonReporter: { fileName: `reports/mutation/${part}/mutation.json` },
		concurrency: 2,
		timeoutMS: 5_000,
		thresholds: { high: 90, low: 85, break: null },
		tempDirName: `.stryker-tmp/${part}`,
		cleanTempDir: "always",
	};
}
