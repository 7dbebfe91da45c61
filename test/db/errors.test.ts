// mapDatabaseError: driver error shapes of both engines, Drizzle's wrapping, fallbacks, and the constraint tables.
import { is } from "drizzle-orm";
import { DrizzleQueryError } from "drizzle-orm/errors";
import { getTableConfig, PgTable } from "drizzle-orm/pg-core";
import { describe, expect, it } from "vitest";
import { constraintInfos, foreignKeyInfos, mapDatabaseError } from "../../src/db/errors.js";
import * as schema from "../../src/db/schema/index.js";

/** What PGlite throws: node-postgres-style field names. */
function pgliteError(fields: Record<string, unknown>) {
	return Object.assign(new Error("pglite"), { severity: "ERROR", ...fields });
}

/** What postgres.js throws: PostgresError with `*_name` fields. */
function postgresJsError(fields: Record<string, unknown>) {
	const error = Object.assign(new Error("postgres.js"), { severity: "ERROR", severity_local: "ERROR", ...fields });
	error.name = "PostgresError";
	return error;
}

const wrap = (query: string, cause: Error) => new DrizzleQueryError(query, [], cause);

describe("mapDatabaseError", () => {
	it("maps a unique violation wrapped by Drizzle (PGlite shape) to 409 with the constraint's info", () => {
		const error = wrap(
			'insert into "characters" …',
			pgliteError({ code: "23505", constraint: "characters_server_name_unique", detail: "Key … already exists." }),
		);
		expect(mapDatabaseError(error)).toEqual({
			status: 409,
			info: "character.name_taken",
			constraint: "characters_server_name_unique",
			detail: "Key … already exists.",
		});
	});

	it("reads postgres.js field names (constraint_name, column_name)", () => {
		const unique = wrap("insert …", postgresJsError({ code: "23505", constraint_name: "users_email_unique" }));
		const notNull = wrap("insert …", postgresJsError({ code: "23502", column_name: "name" }));
		expect(mapDatabaseError(unique)).toMatchObject({ status: 409, info: "user.email_taken" });
		expect(mapDatabaseError(notNull)).toMatchObject({ status: 400, info: "required.name" });
	});

	it("maps an unwrapped driver error too", () => {
		expect(mapDatabaseError(pgliteError({ code: "23514", constraint: "characters_level_range" }))).toMatchObject({
			status: 400,
			info: "character.level_invalid",
		});
	});

	it("finds the driver error several causes deep (transactions wrap again)", () => {
		const inner = wrap("insert …", postgresJsError({ code: "23505", constraint_name: "team_members_pkey" }));
		const outer = new Error("transaction failed", { cause: inner });
		expect(mapDatabaseError(outer)).toMatchObject({ status: 409, info: "team.already_member" });
	});

	it("tells a missing parent (404) from a parent still in use (409) by the detail", () => {
		const missing = pgliteError({
			code: "23503",
			constraint: "characters_class_id_classes_id_fk",
			detail: 'Key (class_id)=(99) is not present in table "classes".',
		});
		const inUse = pgliteError({
			code: "23503",
			constraint: "guild_members_role_fk",
			detail: 'Key (guild_id, id)=(1, 1) is still referenced from table "guild_members".',
		});
		expect(mapDatabaseError(missing)).toMatchObject({ status: 404, info: "class.notfound" });
		expect(mapDatabaseError(inUse)).toMatchObject({ status: 409, info: "role.in_use" });
	});

	it("falls back on the statement when the detail is translated", () => {
		const fk = { code: "23503", constraint_name: "characters_account_id_game_accounts_id_fk", detail: "Clé …" };
		expect(mapDatabaseError(wrap('delete from "game_accounts" …', postgresJsError(fk)))).toMatchObject({
			status: 409,
			info: "account.in_use",
		});
		expect(mapDatabaseError(wrap('insert into "characters" …', postgresJsError(fk)))).toMatchObject({
			status: 404,
			info: "account.notfound",
		});
	});

	it("maps ON DELETE RESTRICT's own code (23001) to 409", () => {
		const error = pgliteError({ code: "23001", constraint: "teams_server_id_servers_id_fk" });
		expect(mapDatabaseError(error)).toMatchObject({ status: 409, info: "server.in_use" });
	});

	it("gives generic infos naming unknown constraints", () => {
		const on = (code: string) => mapDatabaseError(pgliteError({ code, constraint: "later_table_thing" }));
		expect(on("23505")).toMatchObject({ status: 409, info: "conflict.later_table_thing" });
		expect(on("23503")).toMatchObject({ status: 404, info: "notfound.later_table_thing" });
		expect(on("23514")).toMatchObject({ status: 400, info: "invalid.later_table_thing" });
	});

	it.each([
		["a plain error", new Error("boom")],
		["a Node system error with a five-letter code", Object.assign(new Error("write EPIPE"), { code: "EPIPE" })],
		["a server error that is not about the data", pgliteError({ code: "57014" })],
		["a non-error", "oops"],
		["null", null],
	])("returns null for %s", (_label, error) => {
		expect(mapDatabaseError(error)).toBeNull();
	});
});

describe("constraint tables", () => {
	const tables = (Object.values(schema) as unknown[]).filter((value): value is PgTable => is(value, PgTable));
	const configs = tables.map((table) => getTableConfig(table));
	const uniqueNames = configs.flatMap((config) => [
		...config.indexes.filter((index) => index.config.unique).map((index) => index.config.name ?? ""),
		...config.uniqueConstraints.map((constraint) => constraint.getName() ?? ""),
		// Only composite keys are listed here; single-column identity keys are never written by clients.
		...config.primaryKeys.map((key) => key.getName()),
	]);
	const checkNames = configs.flatMap((config) => config.checks.map((check) => check.name ?? ""));
	const foreignKeyNames = configs.flatMap((config) => config.foreignKeys.map((key) => key.getName()));

	it("only name constraints that exist in the schema", () => {
		const known = new Set([...uniqueNames, ...checkNames]);
		expect(Object.keys(constraintInfos).filter((name) => !known.has(name))).toEqual([]);
		expect(Object.keys(foreignKeyInfos).filter((name) => !foreignKeyNames.includes(name))).toEqual([]);
	});

	it("give an info to every check, unique and foreign key constraint", () => {
		// Exists only as the target of guild_members' composite foreign key; `id` alone is already unique.
		const unreachable = new Set(["guild_roles_guild_id_id_unique"]);
		const named = [...uniqueNames, ...checkNames].filter((name) => !unreachable.has(name));
		expect(named.filter((name) => !(name in constraintInfos))).toEqual([]);
		expect(foreignKeyNames.filter((name) => !(name in foreignKeyInfos))).toEqual([]);
	});
});
