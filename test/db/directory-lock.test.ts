// One process per PGlite data directory: a second opener is refused with a clear error; a dead owner's lock is taken over.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { DirectoryLockedError, lockDirectory } from "../../src/db/directory-lock.js";

const folders: string[] = [];
function dataDir(): string {
	const folder = mkdtempSync(join(tmpdir(), "dofus-lock-"));
	folders.push(folder);
	return join(folder, "pglite");
}
afterEach(() => {
	for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

/** A pid that is certainly not running: a child that has already exited. */
function deadPid(): number {
	const child = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8" });
	return Number(child.stdout);
}

describe("lockDirectory", () => {
	it("writes our pid next to the directory and removes it on release", () => {
		const dir = dataDir();
		const release = lockDirectory(dir);
		expect(readFileSync(`${dir}.lock`, "utf8").split("\n")[0]).toBe(String(process.pid));
		release();
		expect(existsSync(`${dir}.lock`)).toBe(false);
		release();
	});

	it("refuses a second lock while the first is held, naming the directory and the owner", () => {
		const dir = dataDir();
		const release = lockDirectory(dir);
		try {
			expect(() => lockDirectory(dir)).toThrow(DirectoryLockedError);
			expect(() => lockDirectory(dir)).toThrow(
				new RegExp(`${dir.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} is in use by process ${process.pid}`),
			);
		} finally {
			release();
		}
		lockDirectory(dir)();
	});

	it("takes over a lock left by a process that is gone, or one that cannot be read", () => {
		const dir = dataDir();
		writeFileSync(`${dir}.lock`, `${deadPid()}\nsomewhere\n`);
		const release = lockDirectory(dir);
		expect(readFileSync(`${dir}.lock`, "utf8").split("\n")[0]).toBe(String(process.pid));
		release();
		writeFileSync(`${dir}.lock`, "garbage");
		lockDirectory(dir)();
	});

	it("does not remove a lock another process has taken since", () => {
		const dir = dataDir();
		const release = lockDirectory(dir);
		writeFileSync(`${dir}.lock`, "1\nsomeone else\n");
		release();
		expect(readFileSync(`${dir}.lock`, "utf8")).toBe("1\nsomeone else\n");
	});
});
