// drizzle-kit settings: `npm run db:generate` diffs src/db/schema against drizzle/ and writes a new migration.
import { defineConfig } from "drizzle-kit";

export default defineConfig({
	dialect: "postgresql",
	schema: "./src/db/schema/index.ts",
	out: "./drizzle",
	strict: true,
	verbose: true,
});
