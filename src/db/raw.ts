// Raw SQL with the same result shape on both engines (`db.execute` returns `{ rows }` on PGlite, an array on postgres.js).
import type { SQL } from "drizzle-orm";
import type { Executor } from "./client.js";

/** For the rare query the builder cannot express; the row type is the caller's promise, not checked. */
export async function queryRows<Row extends Record<string, unknown>>(db: Executor, query: SQL): Promise<Row[]> {
	const result: unknown = await db.execute(query);
	if (Array.isArray(result)) return result as Row[];
	if (typeof result === "object" && result !== null && Array.isArray((result as { rows?: unknown }).rows)) {
		return (result as { rows: Row[] }).rows;
	}
	throw new TypeError("unexpected result shape from db.execute");
}
