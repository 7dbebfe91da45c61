// The committed migrations match the schema: drizzle-kit, pointed at a copy of drizzle/, must find nothing to generate.
import { execFile } from "node:child_process";
import { cp, mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const repoRoot = fileURLToPath(new URL("../../", import.meta.url));
const run = promisify(execFile);

describe("drizzle/ migrations", () => {
	it("are in sync with src/db/schema (run `npm run db:generate` if this fails)", async () => {
		const out = await mkdtemp(join(tmpdir(), "dofus-manager-drift-"));
		try {
			await cp(join(repoRoot, "drizzle"), out, { recursive: true });
			const before = await readdir(out, { recursive: true });
			// CLI flags instead of drizzle.config.ts so the output goes to the copy; no database is contacted.
			const { stdout } = await run(
				process.execPath,
				[
					join(repoRoot, "node_modules/drizzle-kit/bin.cjs"),
					"generate",
					"--dialect=postgresql",
					"--schema=./src/db/schema/index.ts",
					// drizzle-kit prefixes "./" to --out, so an absolute path would not resolve.
					`--out=${relative(repoRoot, out)}`,
				],
				{ cwd: repoRoot, timeout: 60_000 },
			);
			// drizzle-kit exits 0 even when it fails, so success is read from its output.
			expect(stdout).toContain("No schema changes");
			expect((await readdir(out, { recursive: true })).sort()).toEqual(before.sort());
		} finally {
			await rm(out, { recursive: true, force: true });
		}
	}, 60_000);
});
