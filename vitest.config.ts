// Test runner settings: one process per worker, capped so PGlite instances (~750 MB each) fit in memory.
import { defineConfig } from "vitest/config";

export default defineConfig({
	test: {
		include: ["test/**/*.test.ts"],
		pool: "forks",
		maxWorkers: 2,
		testTimeout: 20_000,
		hookTimeout: 60_000,
		env: { APP_ENV: "TEST" },
		// Builds the migrated database snapshot (PGlite) or template (TEST_DATABASE_URL) once per run.
		// Then records the responses tests produce and reports contract coverage (coverage/contracts.md) at the end.
		globalSetup: ["test/helpers/global-setup.ts", "test/helpers/contract-coverage.ts"],
		setupFiles: ["test/helpers/vitest-setup.ts"],
	},
});
