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
		globalSetup: ["test/helpers/global-setup.ts"],
		setupFiles: ["test/helpers/vitest-setup.ts"],
	},
});
