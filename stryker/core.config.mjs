// Mutation run over the pipeline framework, src/core, with the core's own tests.
import { mutationRun } from "./shared.mjs";

export default mutationRun({
	part: "core",
	mutate: ["src/core/**/*.ts"],
	vitestConfig: "stryker/vitest.core.config.ts",
});
