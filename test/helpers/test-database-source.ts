// The contract between the vitest globalSetup and the workers: where each test file gets its database from.

/** PGlite: a migrated, reference-seeded data dir dumped to a tarball. PostgreSQL: a template database, same content. */
export type TestDatabaseSource =
	| { engine: "pglite"; snapshotPath: string }
	| { engine: "postgres"; url: string; templateName: string; runId: number };

declare module "vitest" {
	export interface ProvidedContext {
		testDatabase: TestDatabaseSource;
	}
}
