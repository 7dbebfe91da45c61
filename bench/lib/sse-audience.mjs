// The real-time benchmark's database and audience: a throwaway PGlite directory or PostgreSQL database, migrated, with
// users holding a live session each, all members of one guild, written straight into it. Signing hundreds of users up
// through the API would spend the run hashing passwords.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "drizzle-orm";
import postgres from "postgres";

const log = (line) => process.stderr.write(`${line}\n`);

/**
 * `users` users (`bench-realtime-<n>@bench.invalid`), one session each (access token valid two hours), the first the
 * owner of guild `bench#0` (created by the guild service, with its system roles), the others its members. Returns the
 * guild row and one access token per user, the owner's first.
 */
export async function seedAudience({ db, distDir, users }) {
	const { createGuildService } = await import(join(distDir, "services/guilds.js"));
	const { generateToken, hashToken } = await import(join(distDir, "services/tokens.js"));
	const { queryRows } = await import(join(distDir, "db/raw.js"));

	const created = await queryRows(
		db,
		sql`insert into users (email, password_hash, display_name)
			select 'bench-realtime-' || n || '@bench.invalid', 'no password: the benchmark signs in by session', 'Bench ' || n
			from generate_series(1, ${users}) as n
			returning id`,
	);
	const userIds = created.map((row) => Number(row.id)).sort((a, b) => a - b);
	const tokens = userIds.map(() => generateToken());
	await db.execute(
		sql`insert into sessions (user_id, access_token_hash, access_expires_at)
			select (pair->>0)::int, pair->>1, now() + interval '2 hours'
			from jsonb_array_elements(${JSON.stringify(userIds.map((id, index) => [id, hashToken(tokens[index])]))}::jsonb) as pair`,
	);

	const [ownerId] = userIds;
	const { role: _ownerRole, ...guild } = await createGuildService(db).create(ownerId, "bench#0");
	await db.execute(
		sql`insert into guild_members (guild_id, user_id, role_id)
			select ${guild.id}, (id #>> '{}')::int,
				(select id from guild_roles where guild_id = ${guild.id} and kind = 'member')
			from jsonb_array_elements(${JSON.stringify(userIds.slice(1))}::jsonb) as id`,
	);
	return { guild, tokens };
}

/**
 * A PGlite directory (migrated and seeded by this process, then closed: the server opens it alone) or a database
 * `bench_realtime_<pid>` on the cluster of `settings.postgresUrl`, with this process's connection kept to publish.
 */
export async function prepareDatabase(scenario, settings) {
	const { openDatabase, migrateDatabase } = await import(join(settings.distDir, "db/index.js"));
	if (scenario.engine === "pglite") {
		const dir = await mkdtemp(join(tmpdir(), "dofus-manager-bench-realtime-"));
		const pgliteDir = join(dir, "pglite");
		// One process at a time may open a PGlite directory: the bench migrates and seeds it, closes it, then the server opens it.
		const handle = await openDatabase({ DATABASE_URL: undefined, DATABASE_POOL_SIZE: 1, PGLITE_DIR: pgliteDir });
		let audience;
		try {
			await migrateDatabase(handle);
			audience = await seedAudience({ db: handle.db, distDir: settings.distDir, users: settings.clients });
		} finally {
			await handle.close();
		}
		return {
			env: { PGLITE_DIR: pgliteDir, DATABASE_URL: "" },
			audience,
			handle: undefined,
			remove: () => rm(dir, { recursive: true, force: true }),
		};
	}
	const name = `bench_realtime_${process.pid}`;
	const admin = postgres(settings.postgresUrl, { max: 1, onnotice: () => {}, connect_timeout: 5 });
	try {
		// Databases left by runs that were interrupted (their process is gone) go first.
		const left = await admin`select datname from pg_database where datname ~ '^bench_realtime_[0-9]+$'`;
		for (const { datname } of left)
			if (datname === name || !isProcessAlive(Number(datname.slice("bench_realtime_".length))))
				await admin.unsafe(`drop database if exists ${datname} with (force)`);
		await admin.unsafe(`create database ${name}`);
	} catch (error) {
		await admin.end({ timeout: 1 }).catch(() => {});
		throw new Error(`PostgreSQL at ${settings.postgresUrl.replace(/\/\/[^@]*@/, "//")}: ${error.message}`);
	}
	const url = new URL(settings.postgresUrl);
	url.pathname = `/${name}`;
	const remove = async () => {
		await admin
			.unsafe(`drop database if exists ${name} with (force)`)
			.catch((error) => log(`drop failed: ${error.message}`));
		await admin.end({ timeout: 1 }).catch(() => {});
	};
	try {
		// The bench's own connection: it migrates and seeds (the servers then find nothing to migrate), and publishes.
		const handle = await openDatabase({ DATABASE_URL: url.href, DATABASE_POOL_SIZE: 4, PGLITE_DIR: "memory://" });
		await migrateDatabase(handle);
		const audience = await seedAudience({ db: handle.db, distDir: settings.distDir, users: settings.clients });
		return {
			env: { DATABASE_URL: url.href, PGLITE_DIR: "", WORKER: "off" },
			audience,
			handle,
			remove: async () => {
				await handle.close().catch(() => {});
				await remove();
			},
		};
	} catch (error) {
		await remove();
		throw error;
	}
}

function isProcessAlive(pid) {
	try {
		process.kill(pid, 0);
		return true;
	} catch (error) {
		return error.code === "EPERM";
	}
}
