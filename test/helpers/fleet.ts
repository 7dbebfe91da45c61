// The set-up of a fleet test file: the process test bed (dist/ built, a throwaway PostgreSQL, processes killed after the
// file) with a PgBouncer in transaction mode in front of it, databases configured as docs/production.md says, and the
// environment that points API and worker processes at them: statements through PgBouncer, LISTEN straight to PostgreSQL.
import postgres from "postgres";
import { beforeAll } from "vitest";
import { type PgBouncer, startPgBouncer } from "./pgbouncer.js";
import { type ProcessTestBed, processTestBed } from "./process-test-bed.js";
import { type AppProcess, message, startAppProcess } from "./worker-process.js";

export interface FleetDatabase {
	/** Through PgBouncer (transaction pooling): DATABASE_URL. */
	readonly pooled: string;
	/** Straight to PostgreSQL: DATABASE_LISTEN_URL, and the test's own reads. */
	readonly direct: string;
}

export interface FleetTestBed extends ProcessTestBed {
	/** The file's PgBouncer; available from the tests on. */
	bouncer(): PgBouncer;
	/** A new empty database, reachable both ways. */
	database(name: string): Promise<FleetDatabase>;
	/** The environment of every process of the fleet on `database`. */
	env(database: FleetDatabase): Record<string, string>;
	/** `node dist/main.js` with WORKER=off on the fleet's database; pushed to `started`. */
	startApi(
		name: string,
		database: FleetDatabase,
		env?: Record<string, string>,
	): Promise<{ api: AppProcess; port: number }>;
	/** `node dist/worker.js` on the fleet's database; pushed to `started`. */
	startWorker(name: string, database: FleetDatabase, env?: Record<string, string>): Promise<AppProcess>;
}

export function fleetTestBed(): FleetTestBed {
	const bed = processTestBed();
	let bouncer: PgBouncer | undefined;

	// After the bed's own beforeAll (registered first, run first): PostgreSQL is up.
	beforeAll(async () => {
		// Without PgBouncer this throws, saying how to install it, and every test of the file fails with that message.
		bouncer = await startPgBouncer({ postgresPort: bed.postgres().port });
		// The bed's clean-ups run after the processes are killed and before PostgreSQL is removed.
		bed.afterwards(async () => bouncer?.stop());
	}, 60_000);

	const env = (database: FleetDatabase) => ({
		DATABASE_URL: database.pooled,
		DATABASE_LISTEN_URL: database.direct,
		// PgBouncer 1.18 keeps no prepared statement across server connections (max_prepared_statements is 1.21+).
		...(bouncer?.supportsPreparedStatements === true ? {} : { DATABASE_PREPARE: "false" }),
		DATABASE_POOL_SIZE: "4",
		// The suite's speed: PROD's default scrypt cost would make each login take a quarter of a second.
		PASSWORD_HASH_COST: "10",
	});

	return {
		...bed,
		bouncer: () => {
			if (bouncer === undefined) throw new Error("PgBouncer is not started yet (it is, from the tests on)");
			return bouncer;
		},
		async database(name) {
			const direct = await bed.postgres().createDatabase(name);
			// Behind PgBouncer the app's statement timeout (a startup parameter) is dropped: the database sets it instead.
			const admin = postgres(direct, { max: 1, onnotice: () => {} });
			try {
				await admin.unsafe(`alter database "${name}" set statement_timeout = '10s'`);
			} finally {
				await admin.end({ timeout: 1 });
			}
			return { direct, pooled: (bouncer as PgBouncer).url(name) };
		},
		env,
		async startApi(name, database, extra = {}) {
			// Pushed before it is up: one that never comes up is killed after the file too.
			const api = startAppProcess(name, "dist/main.js", { ...env(database), WORKER: "off", ...extra });
			bed.started.push(api);
			// Generous: on a loaded machine a start (migrations checked, pg-boss, caches) can take many seconds.
			const line = await api.waitForLog((entry) => String(entry.msg).startsWith("Dofus Manager listening"), 120_000);
			return { api, port: Number(line.port) };
		},
		async startWorker(name, database, extra = {}) {
			const worker = startAppProcess(name, "dist/worker.js", { ...env(database), ...extra });
			bed.started.push(worker);
			await worker.waitForLog(message("Dofus Manager worker started"), 120_000);
			return worker;
		},
	};
}
