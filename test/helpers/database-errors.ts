// Asserting helper: runs a statement expected to fail and returns what the error mapping makes of it.
import { type DatabaseErrorResponse, mapDatabaseError } from "../../src/db/errors.js";

/** Fails the test if the statement succeeds or if its error is not one the mapping recognises. */
export async function databaseErrorOf(statement: PromiseLike<unknown>): Promise<DatabaseErrorResponse> {
	try {
		await statement;
	} catch (error) {
		const mapped = mapDatabaseError(error);
		if (mapped === null) throw error;
		return mapped;
	}
	throw new Error("expected the database to reject the statement");
}
