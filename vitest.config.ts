// Test runner settings: one process per worker, capped so PGlite instances fit in memory.
import { defineConfig } from "vitest/config";

export default defineConfig({
	test: {
		include: ["test/**/*.test.ts"],
		pool: "forks",
		maxWorkers: 2,
		testTimeout: 20_000,
		hookTimeout: 60_000,
		env: { APP_ENV: "TEST" },
	},
});
