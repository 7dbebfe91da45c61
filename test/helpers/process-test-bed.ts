// The set-up every multi-process job test file shares: dist/ built, a throwaway PostgreSQL of its own, and after the
// file, its processes killed, its fake DofusDB servers closed, its own clean-ups run, then PostgreSQL removed.
import { afterAll, beforeAll } from "vitest";
import { type FakeDofusDb, startFakeDofusDb } from "./fake-dofusdb.js";
import { buildDist } from "./server-process.js";
import { startThrowawayPostgres, type ThrowawayPostgres } from "./throwaway-postgres.js";
import { type AppProcess, killAll } from "./worker-process.js";

export interface ProcessTestBed {
	/** Push every process the test starts: killed after the file (a no-op for those already stopped). */
	readonly started: AppProcess[];
	/** The file's PostgreSQL; available from the tests (beforeAll starts it). */
	postgres(): ThrowawayPostgres;
	/** A fake DofusDB serving each page `delayMs` late, closed after the file. */
	dofusDb(delayMs?: number): Promise<FakeDofusDb>;
	/** Runs after the processes are killed, latest first, before PostgreSQL is removed. */
	afterwards(cleanup: () => Promise<void>): void;
}

export function processTestBed(): ProcessTestBed {
	const started: AppProcess[] = [];
	const fakes: FakeDofusDb[] = [];
	const cleanups: Array<() => Promise<void>> = [];
	let postgres: ThrowawayPostgres | undefined;

	beforeAll(async () => {
		buildDist();
		postgres = await startThrowawayPostgres();
	}, 120_000);

	afterAll(async () => {
		await killAll(started);
		await Promise.all(fakes.map((fake) => fake.close()));
		for (const cleanup of cleanups.reverse()) await cleanup();
		await postgres?.remove();
	});

	return {
		started,
		postgres: () => {
			if (postgres === undefined)
				throw new Error("the throwaway PostgreSQL is not started yet (it is, from the tests on)");
			return postgres;
		},
		async dofusDb(delayMs = 0) {
			const fake = await startFakeDofusDb();
			fake.delayMs = delayMs;
			fakes.push(fake);
			return fake;
		},
		afterwards: (cleanup) => {
			cleanups.push(cleanup);
		},
	};
}
