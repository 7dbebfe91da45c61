// `npm run db:migrate`: applies pending migrations and exits.
import { migrateDatabase } from "../migrate.js";
import { runWithDatabase } from "./run.js";

await runWithDatabase(async (handle) => {
	await migrateDatabase(handle);
	return "migrations applied";
});
