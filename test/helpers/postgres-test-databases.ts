// Test databases on a real PostgreSQL (TEST_DATABASE_URL): one template, cloned into one database per test file.
import postgres from "postgres";
import { openDatabase } from "../../src/db/client.js";
import { isProcessAlive } from "../../src/db/directory-lock.js";
import { migrateDatabase } from "../../src/db/migrate.js";
import { seedReferenceData } from "../../src/db/seed/reference.js";
import { installJobSchema } from "../../src/jobs/schema.js";

/*
 * A database per file rather than a schema per worker: drizzle-kit writes `REFERENCES "public"."users"`
 * in migrations, so the tables of another schema would point their foreign keys at public's.
 */

/** `<base>_<label>` next to the database TEST_DATABASE_URL names (e.g. test → test_template, test_w1). */
export function siblingDatabase(url: string, label: string): { base: string; name: string; url: string } {
	const base = decodeURIComponent(new URL(url).pathname.slice(1)) || "postgres";
	if (!/^[A-Za-z0-9_]+$/.test(base)) {
		throw new Error(`TEST_DATABASE_URL: database name "${base}" must match [A-Za-z0-9_]+`);
	}
	const name = `${base}_${label}`.toLowerCase();
	const target = new URL(url);
	target.pathname = `/${name}`;
	return { base, name, url: target.toString() };
}

/** Runs admin statements (CREATE/DROP DATABASE) on the database TEST_DATABASE_URL names. */
export async function withAdmin<T>(url: string, task: (sql: postgres.Sql) => Promise<T>): Promise<T> {
	const sql = postgres(url, { max: 1, onnotice: () => {} });
	try {
		return await task(sql);
	} finally {
		await sql.end({ timeout: 5 });
	}
}

/*
 * Names carry the run's id (the vitest main process pid) so two runs against the same server, e.g. two
 * checkouts testing at once, never drop each other's databases: `<base>_r<run>_template`, `<base>_r<run>_w1`.
 */
const runLabel = (runId: number, label: string) => `r${runId}_${label}`;

/** Creates the run's template database, migrated and seeded with reference data. */
export async function createTemplate(url: string, runId: number): Promise<string> {
	const template = siblingDatabase(url, runLabel(runId, "template"));
	await dropTestDatabases(url, runId);
	await withAdmin(url, (sql) => sql.unsafe(`create database "${template.name}"`));
	const handle = await openDatabase({ DATABASE_URL: template.url, DATABASE_POOL_SIZE: 1, PGLITE_DIR: "memory://" });
	try {
		await migrateDatabase(handle);
		await seedReferenceData(handle.db);
		await installJobSchema(handle);
	} finally {
		// PostgreSQL refuses to copy a template that has open connections.
		await handle.close();
	}
	return template.name;
}

/** (Re)creates a run's database: a copy of `template` (file copy, no SQL replay), or empty when template is null. */
export async function recreateDatabase(
	url: string,
	runId: number,
	label: string,
	template: string | null,
): Promise<string> {
	const target = siblingDatabase(url, runLabel(runId, label));
	await withAdmin(url, async (sql) => {
		// FORCE: a previous test file of this worker may not have closed its pool.
		await sql.unsafe(`drop database if exists "${target.name}" with (force)`);
		await sql.unsafe(`create database "${target.name}"${template === null ? "" : ` template "${template}"`}`);
	});
	return target.url;
}

export async function dropDatabase(url: string, runId: number, label: string): Promise<void> {
	const target = siblingDatabase(url, runLabel(runId, label));
	await withAdmin(url, (sql) => sql.unsafe(`drop database if exists "${target.name}" with (force)`));
}

/** Drops this run's databases, and those of earlier runs whose process is gone (interrupted runs). */
export async function dropTestDatabases(url: string, runId: number): Promise<void> {
	const { base } = siblingDatabase(url, "template");
	const ours = new RegExp(`^${base.toLowerCase()}_r(\\d+)_(template|w\\d+|[a-z]+_w\\d+)$`);
	await withAdmin(url, async (sql) => {
		const rows = await sql<{ datname: string }[]>`select datname from pg_database`;
		for (const { datname } of rows) {
			const owner = ours.exec(datname)?.[1];
			if (owner === undefined) continue;
			if (Number(owner) === runId || !isProcessAlive(Number(owner))) {
				await sql.unsafe(`drop database if exists "${datname}" with (force)`);
			}
		}
	});
}
