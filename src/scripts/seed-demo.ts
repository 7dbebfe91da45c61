// `npm run db:seed:demo`: migrates, loads reference data, then adds the demo user and its data (once).
import { runWithDatabase } from "../db/cli/run.js";
import { migrateDatabase } from "../db/migrate.js";
import { demoUser, seedDemoData } from "../db/seed/demo.js";
import { seedReferenceData } from "../db/seed/reference.js";
import { hashPassword } from "../services/passwords.js";

await runWithDatabase(async (handle) => {
	await migrateDatabase(handle);
	await seedReferenceData(handle.db);
	const { created } = await seedDemoData(handle.db, { hashPassword });
	const state = created ? "created" : "already present";
	return `demo user ${state}: ${demoUser.email} / ${demoUser.password}`;
});
