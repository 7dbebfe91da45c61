// Prepared hot queries: the lookups the app makes on nearly every request, on both engines, prepared once per database.
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Database } from "../../src/db/client.js";
import { hotQueries } from "../../src/db/queries.js";
import { sessions } from "../../src/db/schema/index.js";
import { getTestDatabase, resetTestDatabase } from "../helpers/database.js";
import { createCharacter, createGameAccount, createTeam, createUser } from "../helpers/fixtures.js";

let db: Database;
beforeAll(async () => {
	db = await getTestDatabase();
});
beforeEach(() => resetTestDatabase(db));

describe("hotQueries", () => {
	it("is prepared once per database", () => {
		expect(hotQueries(db)).toBe(hotQueries(db));
	});

	it("finds a session by its access token hash, with its user and without secrets", async () => {
		const user = await createUser(db, { displayName: "Ana" });
		const expires = new Date(Date.now() + 60_000);
		await db.insert(sessions).values({ userId: user.id, accessTokenHash: "hash-of-token", accessExpiresAt: expires });
		const [row] = await hotQueries(db).sessionByAccessTokenHash.execute({ hash: "hash-of-token" });
		expect(row?.session).toMatchObject({ userId: user.id, revokedAt: null });
		expect(row?.session.accessExpiresAt.getTime()).toBe(expires.getTime());
		expect(row?.user).toMatchObject({ id: user.id, email: user.email, displayName: "Ana" });
		expect(Object.keys(row?.user ?? {})).not.toContain("passwordHash");
		expect(await hotQueries(db).sessionByAccessTokenHash.execute({ hash: "another-hash" })).toEqual([]);
	});

	it("finds an account, a character with its owner, and a team by id", async () => {
		const user = await createUser(db);
		const account = await createGameAccount(db, user.id);
		const character = await createCharacter(db, account.id);
		const team = await createTeam(db, user.id);
		const queries = hotQueries(db);
		expect(await queries.gameAccountById.execute({ id: account.id })).toEqual([account]);
		expect(await queries.characterById.execute({ id: character.id })).toEqual([
			expect.objectContaining({
				id: character.id,
				accountId: account.id,
				serverId: character.serverId,
				userId: user.id,
			}),
		]);
		expect(await queries.teamById.execute({ id: team.id })).toEqual([team]);
		expect(await queries.characterById.execute({ id: character.id + 1 })).toEqual([]);
	});
});
