// Vitest globalSetup: builds, once per run, the migrated + seeded database every test file starts from.
import type { TestProject } from "vitest/node";
import { preparePgliteSnapshot } from "./pglite-snapshot.js";
import { createTemplate, dropTestDatabases } from "./postgres-test-databases.js";
import "./test-database-source.js";

export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
	const url = process.env.TEST_DATABASE_URL;
	if (url !== undefined && url !== "") {
		const runId = process.pid;
		const templateName = await createTemplate(url, runId);
		project.provide("testDatabase", { engine: "postgres", url, templateName, runId });
		return () => dropTestDatabases(url, runId);
	}
	project.provide("testDatabase", { engine: "pglite", snapshotPath: await preparePgliteSnapshot() });
	return undefined;
}
