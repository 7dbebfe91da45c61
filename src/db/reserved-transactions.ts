// Transactions on a reserved connection, for a postgres.js client that sends one query at a time per connection
// (DATABASE_PREPARE=false: behind a pooler in transaction mode, see client.ts).
//
// postgres.js's own begin() takes its connection in a callback that only runs while the connection may pipeline
// (`max_pipeline` > 0): with pipelining off, BEGIN runs on a connection it never reserved, and postgres.js fails it with
// UNSAFE_TRANSACTION. This begin() reserves a connection first (sql.reserve(), which pipelining does not concern), runs
// BEGIN … COMMIT on it, or ROLLBACK when the callback throws, with savepoints for nested transactions as postgres.js
// names them; Drizzle's transactions call exactly begin() and savepoint().
import type postgres from "postgres";

type Callback = (sql: postgres.TransactionSql) => unknown;

/** Settles what the callback returned, as postgres.js does: an array of queries is awaited as a whole. */
function settle(value: unknown): Promise<unknown> {
	return Array.isArray(value) ? Promise.all(value) : Promise.resolve(value);
}

export function withReservedTransactions(client: postgres.Sql): postgres.Sql {
	const begin = async (...args: unknown[]): Promise<unknown> => {
		const callback = args.find((argument) => typeof argument === "function") as Callback | undefined;
		if (callback === undefined) throw new TypeError("begin() needs a callback");
		const options = typeof args[0] === "string" ? args[0].replace(/[^a-z ]/gi, "") : "";
		const reserved = await client.reserve();
		let savepoints = 0;
		const savepoint = async (...savepointArgs: unknown[]): Promise<unknown> => {
			const nested = savepointArgs.find((argument) => typeof argument === "function") as Callback | undefined;
			if (nested === undefined) throw new TypeError("savepoint() needs a callback");
			const label = typeof savepointArgs[0] === "string" ? `_${savepointArgs[0].replace(/[^a-z0-9_]/gi, "")}` : "";
			const name = `s${savepoints++}${label}`;
			await reserved.unsafe(`savepoint ${name}`);
			try {
				return await settle(nested(transaction));
			} catch (error) {
				await reserved.unsafe(`rollback to ${name}`);
				throw error;
			}
		};
		const transaction = Object.assign(reserved, { savepoint }) as unknown as postgres.TransactionSql;
		try {
			await reserved.unsafe(`begin ${options}`);
			let result: unknown;
			try {
				result = await settle(callback(transaction));
			} catch (error) {
				// A connection lost mid-transaction fails this too: the server rolls back by itself then.
				await reserved.unsafe("rollback").catch(() => {});
				throw error;
			}
			await reserved.unsafe("commit");
			return result;
		} finally {
			reserved.release();
		}
	};
	return new Proxy(client, {
		get(target, key, receiver) {
			return key === "begin" ? begin : Reflect.get(target, key, receiver);
		},
	});
}
