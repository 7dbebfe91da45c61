// PGlite test databases: a migrated, seeded data dir dumped once to a tarball, restored in each test file.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { PGlite } from "@electric-sql/pglite";
import { wrapPglite } from "../../src/db/client.js";
import { migrateDatabase, migrationsFolder } from "../../src/db/migrate.js";
import { seedReferenceData } from "../../src/db/seed/reference.js";
import { installJobSchema } from "../../src/jobs/schema.js";

const repoRoot = fileURLToPath(new URL("../../", import.meta.url));

/**
 * Booting PGlite and migrating takes seconds; loading a dump well under one. The dump is cached in the
 * OS temp dir under a hash of everything that shapes it, so a run with unchanged migrations skips the build.
 */
export async function preparePgliteSnapshot(): Promise<string> {
	const inputs = [
		join(repoRoot, "node_modules/@electric-sql/pglite/package.json"),
		join(repoRoot, "node_modules/pg-boss/package.json"),
		...listFiles(migrationsFolder),
		...listFiles(join(repoRoot, "src/db/seed")),
	];
	const hash = createHash("sha256");
	for (const file of inputs) hash.update(`${file}\n`).update(readFileSync(file));
	const folder = join(tmpdir(), "dofus-manager-test");
	const snapshotPath = join(folder, `pglite-${hash.digest("hex").slice(0, 16)}.tar.gz`);
	if (existsSync(snapshotPath)) return snapshotPath;

	const client = await PGlite.create("memory://");
	const handle = wrapPglite(client);
	try {
		await migrateDatabase(handle);
		await seedReferenceData(handle.db);
		await installJobSchema(handle);
		const dump = await client.dumpDataDir("gzip");
		mkdirSync(folder, { recursive: true });
		// Written aside then renamed: a concurrent run never reads half a tarball.
		const partial = `${snapshotPath}.${process.pid}.partial`;
		writeFileSync(partial, Buffer.from(await dump.arrayBuffer()));
		renameSync(partial, snapshotPath);
	} finally {
		await handle.close();
	}
	return snapshotPath;
}

export function loadPgliteSnapshot(snapshotPath: string): Promise<PGlite> {
	return PGlite.create({ dataDir: "memory://", loadDataDir: new Blob([readFileSync(snapshotPath)]) });
}

/** Writes the snapshot into an on-disk data dir, for a server process to open (no migration to replay at its start). */
export async function restorePgliteSnapshot(snapshotPath: string, dataDir: string): Promise<void> {
	const client = await PGlite.create({ dataDir, loadDataDir: new Blob([readFileSync(snapshotPath)]) });
	await client.close();
}

function listFiles(folder: string): string[] {
	return readdirSync(folder, { recursive: true, encoding: "utf8" })
		.map((entry) => join(folder, entry))
		.filter((path) => statSync(path).isFile())
		.sort();
}
