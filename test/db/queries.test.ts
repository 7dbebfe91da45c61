// Prepared hot queries: same answers as plain queries, on both engines, prepared once per database.
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Database } from "../../src/db/client.js";
import { hotQueries } from "../../src/db/queries.js";
import { getTestDatabase, resetTestDatabase } from "../helpers/database.js";
import { createCharacter, createGameAccount, createUser } from "../helpers/fixtures.js";

let db: Database;
beforeAll(async () => {
	db = await getTestDatabase();
});
beforeEach(() => resetTestDatabase(db));

describe("hotQueries", () => {
	it("is prepared once per database", () => {
		expect(hotQueries(db)).toBe(hotQueries(db));
	});

	it("finds a user by id, without the password hash", async () => {
		const user = await createUser(db, { displayName: "Ana" });
		const [row] = await hotQueries(db).userById.execute({ id: user.id });
		expect(row).toEqual({ id: user.id, email: user.email, displayName: "Ana", locale: "fr" });
		expect(await hotQueries(db).userById.execute({ id: user.id + 1 })).toEqual([]);
	});

	it("resolves the owner of an account and of a character", async () => {
		const user = await createUser(db);
		const account = await createGameAccount(db, user.id);
		const character = await createCharacter(db, account.id);
		const queries = hotQueries(db);
		expect(await queries.accountOwner.execute({ id: account.id })).toEqual([{ accountId: account.id, userId: user.id }]);
		expect(await queries.characterOwner.execute({ id: character.id })).toEqual([
			{ characterId: character.id, accountId: account.id, serverId: character.serverId, userId: user.id },
		]);
	});
});
