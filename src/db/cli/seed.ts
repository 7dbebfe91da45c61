// `npm run db:seed`: migrates, then loads the reference data (classes, servers, dungeons); safe to repeat.
import { migrateDatabase } from "../migrate.js";
import { seedReferenceData } from "../seed/reference.js";
import { runWithDatabase } from "./run.js";

await runWithDatabase(async (handle) => {
	await migrateDatabase(handle);
	const counts = await seedReferenceData(handle.db);
	return `reference data loaded: ${counts.classes} classes, ${counts.servers} servers, ${counts.dungeons} dungeons`;
});
