// One process per PGlite data directory: a second one would corrupt it. A lock file next to the directory holds the
// owner's pid; a lock whose process is gone (killed with -9) is taken over.
import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from "node:fs";
import { hostname } from "node:os";
import { resolve } from "node:path";

export class DirectoryLockedError extends Error {
	constructor(
		public readonly directory: string,
		public readonly ownerPid: number,
	) {
		super(
			`the PGlite data directory ${directory} is in use by process ${ownerPid}. Only one process may open it: stop ` +
				"that process first, or use PostgreSQL (DATABASE_URL) to run several API and worker processes.",
		);
		this.name = "DirectoryLockedError";
	}
}

/** Whether a process with this pid runs on this machine (also when it belongs to another user). */
export function isProcessAlive(pid: number): boolean {
	try {
		process.kill(pid, 0);
		return true;
	} catch (error) {
		// EPERM: the process exists but belongs to someone else.
		return (error as NodeJS.ErrnoException).code === "EPERM";
	}
}

function ownerOf(lockPath: string): number | null {
	try {
		const [pid] = readFileSync(lockPath, "utf8").split("\n");
		const parsed = Number(pid);
		return Number.isInteger(parsed) && parsed > 0 ? parsed : null;
	} catch {
		return null;
	}
}

/** Takes the directory's lock or throws DirectoryLockedError; the returned function releases it (safe to call twice). */
export function lockDirectory(directory: string): () => void {
	const lockPath = `${resolve(directory)}.lock`;
	for (let attempt = 0; attempt < 2; attempt += 1) {
		try {
			const fd = openSync(lockPath, "wx");
			writeSync(fd, `${process.pid}\n${hostname()}\n`);
			closeSync(fd);
			let released = false;
			const release = () => {
				if (released) return;
				released = true;
				process.removeListener("exit", release);
				if (ownerOf(lockPath) === process.pid) unlinkSync(lockPath);
			};
			process.once("exit", release);
			return release;
		} catch (error) {
			if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
			const owner = ownerOf(lockPath);
			if (owner !== null && isProcessAlive(owner)) throw new DirectoryLockedError(resolve(directory), owner);
			// Left by a process that died without releasing it: take it over.
			unlinkSync(lockPath);
		}
	}
	throw new Error(`could not lock ${directory}`);
}
