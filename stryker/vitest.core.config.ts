// Tests run against src/core mutants: the core's own tests (no database, no contract-coverage recorder).
import { defineConfig } from "vitest/config";

export default defineConfig({
	test: {
		include: ["test/core/**/*.test.ts"],
		pool: "forks",
		maxWorkers: 1,
		testTimeout: 20_000,
		hookTimeout: 60_000,
		env: { APP_ENV: "TEST" },
		setupFiles: ["test/helpers/vitest-setup.ts"],
	},
});
