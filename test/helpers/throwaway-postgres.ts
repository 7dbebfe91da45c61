// A private PostgreSQL 15 server for tests that must stop, restart or overload their database (never the shared one on 5432).
//
//   const pg = await startThrowawayPostgres({ settings: { max_connections: "20" } });
//   const url = pg.url();            // postgres://postgres@127.0.0.1:<port>/postgres
//   await pg.createDatabase("app");  // → its URL
//   await pg.stop();                 // pg_ctl stop -m fast: sessions are cut, the port refuses connections
//   await pg.start();                // same data directory, same port
//   await pg.remove();               // stops it and deletes every file
//
// initdb refuses to run as root, so when the tests run as root every binary runs as the `postgres` user
// (runuser), in a temporary directory it owns. Authentication is `trust` on 127.0.0.1 only, fsync is off:
// the data is thrown away, speed matters more than durability.
import { execFile } from "node:child_process";
import { chown, mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import postgres from "postgres";

const run = promisify(execFile);

/** Where Debian/Ubuntu put PostgreSQL 15's server binaries; override with PG_BIN_DIR. */
const binDir = process.env.PG_BIN_DIR ?? "/usr/lib/postgresql/15/bin";

export interface ThrowawayPostgresOptions {
	/** Extra `postgresql.conf` settings, e.g. `{ max_connections: "5" }`. */
	settings?: Record<string, string>;
	/** How long start and stop may take before they fail, in milliseconds (default 30 s). */
	timeoutMs?: number;
}

export interface ThrowawayPostgres {
	readonly port: number;
	readonly dataDir: string;
	/** The superuser URL of a database on this server (default `postgres`). */
	url(database?: string): string;
	/** Creates an empty database and returns its URL. */
	createDatabase(name: string): Promise<string>;
	/** `pg_ctl stop -m fast`: open sessions are terminated (57P01), then connections are refused. */
	stop(): Promise<void>;
	/** Starts the server again on the same data directory and port; resolves once it accepts connections. */
	start(): Promise<void>;
	/** True between a successful start() and stop(). */
	readonly running: boolean;
	/** Stops the server if it runs and deletes its directory; safe to call twice. */
	remove(): Promise<void>;
}

/** A port nobody listens on right now (the OS picks it; a race with another process is unlikely and fails loudly). */
export async function freePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const server = createServer();
		server.once("error", reject);
		server.listen(0, "127.0.0.1", () => {
			const { port } = server.address() as { port: number };
			server.close(() => resolve(port));
		});
	});
}

/** initdb + pg_ctl start in a fresh temporary directory, on a free port. */
export async function startThrowawayPostgres(options: ThrowawayPostgresOptions = {}): Promise<ThrowawayPostgres> {
	const timeoutMs = options.timeoutMs ?? 30_000;
	const root = await mkdtemp(join(tmpdir(), "throwaway-postgres-"));
	const dataDir = join(root, "data");
	const logFile = join(root, "server.log");
	const asRoot = userInfo().uid === 0;
	if (asRoot) await chownToPostgres(root);
	const exec = (binary: string, args: string[]) =>
		asRoot
			? run("runuser", ["-u", "postgres", "--", join(binDir, binary), ...args], { timeout: timeoutMs })
			: run(join(binDir, binary), args, { timeout: timeoutMs });

	let running = false;
	let removed = false;
	const port = await freePort();
	try {
		await exec("initdb", ["-D", dataDir, "-U", "postgres", "--auth=trust", "--no-sync", "-E", "UTF8", "--locale=C"]);
		const settings: Record<string, string> = {
			listen_addresses: "'127.0.0.1'",
			port: String(port),
			// The socket directory defaults to /var/run/postgresql, shared with the system's server: keep ours private.
			unix_socket_directories: `'${root}'`,
			fsync: "off",
			synchronous_commit: "off",
			full_page_writes: "off",
			...options.settings,
		};
		await writeFile(
			join(dataDir, "postgresql.auto.conf"),
			Object.entries(settings)
				.map(([key, value]) => `${key} = ${value}\n`)
				.join(""),
		);
		if (asRoot) await chownToPostgres(join(dataDir, "postgresql.auto.conf"));
	} catch (error) {
		await rm(root, { recursive: true, force: true });
		throw error;
	}

	const url = (database = "postgres") => `postgres://postgres@127.0.0.1:${port}/${database}`;
	const start = async () => {
		if (removed) throw new Error("This throwaway PostgreSQL was removed.");
		// -w waits until the server accepts connections; -t bounds that wait.
		await exec("pg_ctl", ["start", "-w", "-t", String(Math.ceil(timeoutMs / 1000)), "-D", dataDir, "-l", logFile]);
		running = true;
	};
	const stop = async () => {
		if (!running) return;
		await exec("pg_ctl", ["stop", "-w", "-m", "fast", "-t", String(Math.ceil(timeoutMs / 1000)), "-D", dataDir]);
		running = false;
	};
	try {
		await start();
	} catch (error) {
		await rm(root, { recursive: true, force: true });
		throw error;
	}

	return {
		port,
		dataDir,
		url,
		get running() {
			return running;
		},
		async createDatabase(name: string) {
			const admin = postgres(url(), { max: 1, onnotice: () => {} });
			try {
				await admin.unsafe(`create database "${name.replace(/"/g, '""')}"`);
			} finally {
				await admin.end({ timeout: 1 });
			}
			return url(name);
		},
		stop,
		start,
		async remove() {
			if (removed) return;
			try {
				// Immediate: nothing of this server is worth a clean shutdown.
				if (running) await exec("pg_ctl", ["stop", "-w", "-m", "immediate", "-D", dataDir]).catch(() => {});
				running = false;
			} finally {
				removed = true;
				await rm(root, { recursive: true, force: true });
			}
		},
	};
}

async function chownToPostgres(path: string): Promise<void> {
	const { stdout: uid } = await run("id", ["-u", "postgres"]);
	const { stdout: gid } = await run("id", ["-g", "postgres"]);
	await chown(path, Number(uid.trim()), Number(gid.trim()));
}
