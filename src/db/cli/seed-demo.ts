// `npm run db:seed:demo`: migrates, loads reference data, then adds the demo user and its data (once).
import { migrateDatabase } from "../migrate.js";
import { demoUser, seedDemoData } from "../seed/demo.js";
import { seedReferenceData } from "../seed/reference.js";
import { runWithDatabase } from "./run.js";

await runWithDatabase(async (handle) => {
	await migrateDatabase(handle);
	await seedReferenceData(handle.db);
	const { created } = await seedDemoData(handle.db);
	const state = created ? "created" : "already present";
	return `demo user ${state}: ${demoUser.email} / ${demoUser.password}`;
});
