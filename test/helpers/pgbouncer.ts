// A private PgBouncer (Debian's /usr/sbin/pgbouncer) in transaction pooling mode in front of a throwaway PostgreSQL, for
// tests that prove the app works behind a pooler.
//
//   const bouncer = await startPgBouncer({ postgresPort: pg.port });
//   bouncer.url("app");   // postgres://postgres@127.0.0.1:<its port>/app, every database of the server behind it
//   await bouncer.stop(); // SIGTERM, then deletes its files; safe to call twice
//
// Its config and auth files live in a temporary directory. Authentication is `trust` (the user must still be listed in
// the auth file), like the PostgreSQL behind it. PgBouncer refuses to run as root: as root it runs as `postgres`
// (spawn's uid and gid).
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { chown, mkdtemp, rm, writeFile } from "node:fs/promises";
import { connect } from "node:net";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { freePort } from "./throwaway-postgres.js";

const run = promisify(execFile);

/** Where Debian installs it; override with PGBOUNCER_BIN. */
const binary = process.env.PGBOUNCER_BIN ?? "/usr/sbin/pgbouncer";

/**
 * Throws unless PgBouncer is installed: the fleet tests need it and fail without it (no skip; .ci/run installs it).
 */
export function requirePgBouncer(): void {
	if (!existsSync(binary))
		throw new Error(
			`PgBouncer is required by test/fleet/ and is missing at ${binary}: apt-get install pgbouncer (Debian's package), or set PGBOUNCER_BIN to its path`,
		);
}

export interface PgBouncerOptions {
	/** The PostgreSQL server's port on 127.0.0.1. */
	postgresPort: number;
	/** Server connections per database and user (default 20): what every instance behind it shares. */
	poolSize?: number;
	/** Extra `[pgbouncer]` settings. */
	settings?: Record<string, string>;
}

export interface PgBouncer {
	readonly port: number;
	/** `major.minor.patch`, from `pgbouncer --version`. */
	readonly version: string;
	/** Whether this version keeps protocol-level prepared statements across server connections (1.21+). */
	readonly supportsPreparedStatements: boolean;
	/** The URL of `database` through PgBouncer. */
	url(database: string): string;
	/** Its log so far, for failure messages. */
	log(): string;
	stop(): Promise<void>;
}

/** `pgbouncer --version` → "1.18.0". */
export async function pgBouncerVersion(): Promise<string> {
	requirePgBouncer();
	const { stdout } = await run(binary, ["--version"]);
	const match = /PgBouncer (\d+\.\d+\.\d+)/.exec(stdout);
	if (match?.[1] === undefined) throw new Error(`unexpected pgbouncer --version output: ${stdout}`);
	return match[1];
}

function atLeast(version: string, major: number, minor: number): boolean {
	const [actualMajor = 0, actualMinor = 0] = version.split(".").map(Number);
	return actualMajor > major || (actualMajor === major && actualMinor >= minor);
}

/** Resolves once something accepts TCP connections on the port; rejects after `timeoutMs`. */
async function waitForPort(port: number, child: ChildProcess, timeoutMs: number): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		if (child.exitCode !== null || child.signalCode !== null) throw new Error("pgbouncer exited while starting");
		const open = await new Promise<boolean>((resolve) => {
			const socket = connect(port, "127.0.0.1");
			socket.once("connect", () => {
				socket.destroy();
				resolve(true);
			});
			socket.once("error", () => resolve(false));
		});
		if (open) return;
		if (Date.now() > deadline) throw new Error(`pgbouncer did not listen on ${port} within ${timeoutMs} ms`);
		await new Promise((resolve) => setTimeout(resolve, 50));
	}
}

export async function startPgBouncer(options: PgBouncerOptions): Promise<PgBouncer> {
	const version = await pgBouncerVersion();
	const supportsPreparedStatements = atLeast(version, 1, 21);
	const root = await mkdtemp(join(tmpdir(), "pgbouncer-"));
	const port = await freePort();
	const settings: Record<string, string> = {
		listen_addr: "127.0.0.1",
		listen_port: String(port),
		// No Unix socket: the default directory (/tmp) would clash with another PgBouncer on the same port number.
		unix_socket_dir: "",
		auth_type: "trust",
		auth_file: join(root, "userlist.txt"),
		pool_mode: "transaction",
		default_pool_size: String(options.poolSize ?? 20),
		max_client_conn: "1000",
		// The app sends its statement timeout as a startup parameter, which PgBouncer refuses unless told to drop it (see
		// docs/production.md: behind PgBouncer the timeout is a role or database setting). pg sends extra_float_digits.
		ignore_startup_parameters: "extra_float_digits,statement_timeout",
		// Its log goes to stderr, kept in memory for failure messages; connections come and go too often to log each.
		log_connections: "0",
		log_disconnections: "0",
		admin_users: "postgres",
		// Where supported, named prepared statements are kept per client and re-prepared on whichever server connection.
		...(supportsPreparedStatements ? { max_prepared_statements: "200" } : {}),
		...options.settings,
	};
	const ini = [
		"[databases]",
		`* = host=127.0.0.1 port=${options.postgresPort}`,
		"",
		"[pgbouncer]",
		...Object.entries(settings).map(([key, value]) => `${key} = ${value}`),
		"",
	].join("\n");
	await writeFile(join(root, "pgbouncer.ini"), ini);
	await writeFile(join(root, "userlist.txt"), '"postgres" ""\n');
	let user: { uid: number; gid: number } | undefined;
	if (userInfo().uid === 0) {
		const { stdout: uid } = await run("id", ["-u", "postgres"]);
		const { stdout: gid } = await run("id", ["-g", "postgres"]);
		user = { uid: Number(uid.trim()), gid: Number(gid.trim()) };
		for (const path of [root, join(root, "pgbouncer.ini"), join(root, "userlist.txt")])
			await chown(path, user.uid, user.gid);
	}
	const child = spawn(binary, [join(root, "pgbouncer.ini")], { stdio: ["ignore", "pipe", "pipe"], ...user });
	let output = "";
	child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
	child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
	const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
	const log = () => output;
	try {
		await waitForPort(port, child, 10_000);
	} catch (error) {
		const text = log();
		child.kill("SIGKILL");
		await rm(root, { recursive: true, force: true });
		throw new Error(`${(error as Error).message}\n${text}`);
	}

	let stopped = false;
	return {
		port,
		version,
		supportsPreparedStatements,
		url: (database) => `postgres://postgres@127.0.0.1:${port}/${database}`,
		log,
		async stop() {
			if (stopped) return;
			stopped = true;
			// SIGTERM is its immediate shutdown: nothing behind it is worth waiting for.
			if (child.exitCode === null && child.signalCode === null) {
				child.kill("SIGTERM");
				const killer = setTimeout(() => child.kill("SIGKILL"), 5_000);
				await exited;
				clearTimeout(killer);
			}
			await rm(root, { recursive: true, force: true });
		},
	};
}
