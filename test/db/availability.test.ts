// Which real driver errors mean "database unavailable" (503) and which do not, on PostgreSQL (a throwaway server) and PGlite.
import { createServer, type Server, type Socket } from "node:net";
import { sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DatabaseHandle, isDatabaseUnavailable, openDatabase } from "../../src/db/index.js";
import { getTestDatabase } from "../helpers/database.js";
import { freePort, startThrowawayPostgres, type ThrowawayPostgres } from "../helpers/throwaway-postgres.js";

/** The error a promise rejects with; fails the test if it resolves. */
async function rejection(promise: Promise<unknown>): Promise<unknown> {
	try {
		await promise;
	} catch (error) {
		return error;
	}
	throw new Error("expected a rejection");
}

/** The SQLSTATE or driver code of an error or of the first error it wraps that has one. */
function codeOf(error: unknown): unknown {
	let current = error as { code?: unknown; cause?: unknown } | undefined;
	while (current !== undefined && current !== null && current.code === undefined)
		current = current.cause as typeof current;
	return current?.code;
}

let server: ThrowawayPostgres;

beforeAll(async () => {
	server = await startThrowawayPostgres();
}, 60_000);

afterAll(async () => {
	await server?.remove();
});

describe("isDatabaseUnavailable on errors the drivers really throw", () => {
	it("is true for a refused connection, raw and wrapped by Drizzle", async () => {
		const client = postgres(`postgres://postgres@127.0.0.1:${await freePort()}/none`, { max: 1, connect_timeout: 2 });
		try {
			const raw = await rejection(client`select 1`);
			const wrapped = await rejection(drizzle({ client }).execute(sql`select 1`));
			expect([codeOf(raw), codeOf(wrapped)]).toEqual(["ECONNREFUSED", "ECONNREFUSED"]);
			expect([isDatabaseUnavailable(raw), isDatabaseUnavailable(wrapped)]).toEqual([true, true]);
		} finally {
			await client.end({ timeout: 0 });
		}
	});

	it("is true for a connect timeout (a server that accepts and never answers)", async () => {
		const sockets: Socket[] = [];
		const silent: Server = createServer((socket) => sockets.push(socket));
		await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
		const { port } = silent.address() as { port: number };
		const database = await openDatabase({
			DATABASE_URL: `postgres://postgres@127.0.0.1:${port}/none`,
			DATABASE_POOL_SIZE: 1,
			PGLITE_DIR: "memory://",
			DATABASE_CONNECT_TIMEOUT_MS: 200,
		});
		try {
			const error = await rejection(database.db.execute(sql`select 1`));
			expect(codeOf(error)).toBe("CONNECT_TIMEOUT");
			expect(isDatabaseUnavailable(error)).toBe(true);
		} finally {
			await database.close();
			for (const socket of sockets) socket.destroy();
			await new Promise((resolve) => silent.close(resolve));
		}
	});

	it("is true for a statement cut by DATABASE_STATEMENT_TIMEOUT_MS (57014), inside a transaction too", async () => {
		const database: DatabaseHandle = await openDatabase({
			DATABASE_URL: server.url(),
			DATABASE_POOL_SIZE: 1,
			PGLITE_DIR: "memory://",
			DATABASE_STATEMENT_TIMEOUT_MS: 100,
		});
		try {
			const direct = await rejection(database.db.execute(sql`select pg_sleep(2)`));
			const inTransaction = await rejection(database.db.transaction((tx) => tx.execute(sql`select pg_sleep(2)`)));
			expect([codeOf(direct), codeOf(inTransaction)]).toEqual(["57014", "57014"]);
			expect([isDatabaseUnavailable(direct), isDatabaseUnavailable(inTransaction)]).toEqual([true, true]);
			// The pool still works after the timeout.
			expect(await database.db.execute(sql`select 1 as one`)).toEqual([{ one: 1 }]);
		} finally {
			await database.close();
		}
	});

	it("is true for a session the administrator terminates under a query (postgres.js reports CONNECTION_CLOSED)", async () => {
		const victim = postgres(server.url(), { max: 1 });
		const admin = postgres(server.url(), { max: 1 });
		try {
			const [{ pid }] = (await victim`select pg_backend_pid() as pid`) as unknown as [{ pid: number }];
			const running = rejection(victim`select pg_sleep(5)`);
			await new Promise((resolve) => setTimeout(resolve, 200));
			await admin`select pg_terminate_backend(${pid})`;
			const error = await running;
			expect(codeOf(error)).toBe("CONNECTION_CLOSED");
			expect(isDatabaseUnavailable(error)).toBe(true);
		} finally {
			await victim.end({ timeout: 0 });
			await admin.end({ timeout: 0 });
		}
	});

	it("is false for constraint violations, syntax errors and bad values, on the suite's engine", async () => {
		const db = await getTestDatabase();
		const errors = [
			await rejection(db.execute(sql`select 1 from nowhere_at_all`)),
			await rejection(db.execute(sql`select ${"not a number"}::int`)),
			await rejection(db.execute(sql`insert into classes (id, name) values (1, 'x'), (1, 'x')`)),
		];
		expect(errors.map(isDatabaseUnavailable)).toEqual([false, false, false]);
	});

	it("is true for the SQLSTATEs of a server going away or out of room, as postgres.js and PGlite shape them", () => {
		// Real ones are hard to provoke on cue (53300 is, in outage.test.ts); these carry the fields both drivers set.
		const states = ["57P01", "57P02", "57P03", "53300", "53200", "08006", "08001", "57014"];
		const errors = states.map((code) => Object.assign(new Error("server error"), { code, severity: "FATAL" }));
		expect(errors.map(isDatabaseUnavailable)).toEqual(states.map(() => true));
		const others = ["23505", "40001", "42P01", "22P02"].map((code) =>
			Object.assign(new Error("server error"), { code, severity: "ERROR" }),
		);
		expect(others.map(isDatabaseUnavailable)).toEqual([false, false, false, false]);
	});

	it("is true for Node's AggregateError of several refused addresses", () => {
		const refused = Object.assign(new Error("connect ECONNREFUSED ::1:5432"), { code: "ECONNREFUSED" });
		expect(isDatabaseUnavailable(new AggregateError([refused], "connect failed"))).toBe(true);
	});

	it("is false for values that are not database errors", () => {
		const notFound = Object.assign(new Error("no such file"), { code: "ENOENT" });
		expect(
			[undefined, null, "ECONNREFUSED", new Error("ECONNREFUSED"), notFound, { code: 57014 }].map(
				isDatabaseUnavailable,
			),
		).toEqual([false, false, false, false, false, false]);
	});
});

describe("the outage gate", () => {
	it("fails queries at once with DATABASE_DOWN after one found the server unreachable, letting a probe through every 250 ms", async () => {
		const database = await openDatabase({
			DATABASE_URL: `postgres://postgres@127.0.0.1:${await freePort()}/none`,
			DATABASE_POOL_SIZE: 1,
			PGLITE_DIR: "memory://",
		});
		try {
			expect(codeOf(await rejection(database.db.execute(sql`select 1`)))).toBe("ECONNREFUSED");
			const refused = await rejection(database.db.execute(sql`select 1`));
			const inTransaction = await rejection(database.db.transaction((tx) => tx.execute(sql`select 1`)));
			expect([codeOf(refused), codeOf(inTransaction)]).toEqual(["DATABASE_DOWN", "DATABASE_DOWN"]);
			expect([isDatabaseUnavailable(refused), isDatabaseUnavailable(inTransaction)]).toEqual([true, true]);
			await new Promise((resolve) => setTimeout(resolve, 300));
			// The probe reaches the driver again.
			expect(codeOf(await rejection(database.db.execute(sql`select 1`)))).toBe("ECONNREFUSED");
		} finally {
			await database.close();
		}
	});

	it("opens again with the first query that succeeds once the server is back", async () => {
		const database = await openDatabase({ DATABASE_URL: server.url(), DATABASE_POOL_SIZE: 2, PGLITE_DIR: "memory://" });
		try {
			expect(await database.db.execute(sql`select 1 as one`)).toEqual([{ one: 1 }]);
			await server.stop();
			await rejection(database.db.execute(sql`select 1`));
			expect(codeOf(await rejection(database.db.execute(sql`select 1`)))).toBe("DATABASE_DOWN");
			await server.start();
			await new Promise((resolve) => setTimeout(resolve, 300));
			expect(await database.db.execute(sql`select 2 as two`)).toEqual([{ two: 2 }]);
			expect(await database.db.execute(sql`select 3 as three`)).toEqual([{ three: 3 }]);
		} finally {
			await database.close();
		}
	}, 30_000);
});
