// Tenant isolation: a second user can neither see nor change the first user's accounts, characters, teams or progressions.
import { describe, expect, it } from "vitest";
import type { App } from "../../src/core/index.js";
import type { Database } from "../../src/db/index.js";
import { as } from "../helpers/calls.js";
import { addToTeam, createAccountAs, createCharacterAs, createTeamAs, setProgress } from "../helpers/domain.js";
import { reference } from "../helpers/fixtures.js";
import { freshAppPerTest, type LoggedIn, signUp } from "../helpers/identity.js";

let db: Database;
let app: App;

freshAppPerTest((fresh) => ({ db, app } = fresh));

/** Everything the first user owns, as the first user reads it. */
async function snapshot(user: LoggedIn, ids: { accountId: number; characterId: number; teamId: number }) {
	const read = async (url: string) => (await app.inject({ url, headers: user.headers })).json();
	return {
		accounts: await read("/api/accounts"),
		account: await read(`/api/accounts/${ids.accountId}`),
		characters: await read("/api/characters"),
		character: await read(`/api/characters/${ids.characterId}`),
		teams: await read("/api/teams"),
		team: await read(`/api/teams/${ids.teamId}`),
		progressions: await read(`/api/characters/${ids.characterId}/progressions`),
		matrix: await read(`/api/teams/${ids.teamId}/progressions?kind=dungeon`),
	};
}

describe("a second user", () => {
	it("sees none of the first user's data and changes none of it", async () => {
		const first = await signUp(app);
		const second = await signUp(app);
		const account = await createAccountAs(app, first, { name: "Main" });
		const character = await createCharacterAs(app, first, account.id, { name: "Premier" });
		const team = await createTeamAs(app, first, { name: "Mine" });
		await addToTeam(app, first, team.id, character.id);
		await setProgress(app, first, character.id, "dungeon", reference.dungeon.kardorim, "done");
		const ids = { accountId: account.id, characterId: character.id, teamId: team.id };
		const before = await snapshot(first, ids);

		// Their lists are empty.
		const lists = await Promise.all(
			["/api/accounts", "/api/characters", "/api/teams"].map((url) => app.inject({ url, headers: second.headers })),
		);
		expect(lists.map((response) => response.json())).toEqual([
			{ accounts: [] },
			{ characters: [], pagination: { page: 1, limit: 20, total: 0, totalPages: 0 } },
			{ teams: [] },
		]);

		// Every read and write of the first user's ids answers 404, as if they did not exist.
		const secondCharacter = await createCharacterAs(app, second, (await createAccountAs(app, second)).id);
		const attempts: {
			method: "GET" | "PATCH" | "DELETE" | "PUT" | "POST";
			url: string;
			body?: object;
			info: string;
		}[] = [
			{ method: "GET", url: `/api/accounts/${account.id}`, info: "account.notfound" },
			{ method: "PATCH", url: `/api/accounts/${account.id}`, body: { name: "Mine now" }, info: "account.notfound" },
			{ method: "DELETE", url: `/api/accounts/${account.id}?cascade=true`, info: "account.notfound" },
			{
				method: "POST",
				url: "/api/characters",
				body: {
					accountId: account.id,
					name: "Squatter",
					level: 1,
					classId: reference.class.iop,
					serverId: reference.server.dakal,
				},
				info: "account.notfound",
			},
			{ method: "GET", url: `/api/characters/${character.id}`, info: "character.notfound" },
			{ method: "PATCH", url: `/api/characters/${character.id}`, body: { level: 1 }, info: "character.notfound" },
			{
				method: "PATCH",
				url: `/api/characters/${secondCharacter.id}`,
				body: { accountId: account.id },
				info: "account.notfound",
			},
			{ method: "DELETE", url: `/api/characters/${character.id}`, info: "character.notfound" },
			{ method: "GET", url: `/api/teams/${team.id}`, info: "team.notfound" },
			{ method: "PATCH", url: `/api/teams/${team.id}`, body: { name: "Taken" }, info: "team.notfound" },
			{ method: "DELETE", url: `/api/teams/${team.id}`, info: "team.notfound" },
			{ method: "PUT", url: `/api/teams/${team.id}/members/${secondCharacter.id}`, info: "team.notfound" },
			{ method: "DELETE", url: `/api/teams/${team.id}/members/${character.id}`, info: "team.notfound" },
			{ method: "GET", url: `/api/characters/${character.id}/progressions`, info: "character.notfound" },
			{
				method: "PUT",
				url: `/api/characters/${character.id}/progressions/dungeon/${reference.dungeon.kardorim}`,
				body: { status: "todo" },
				info: "character.notfound",
			},
			{ method: "GET", url: `/api/teams/${team.id}/progressions`, info: "team.notfound" },
		];
		for (const attempt of attempts) {
			const response = await app.inject({
				method: attempt.method,
				url: attempt.url,
				headers: second.headers,
				...(attempt.body === undefined ? {} : { body: attempt.body }),
			});
			expect(`${attempt.method} ${attempt.url} → ${response.statusCode} ${response.info}`).toBe(
				`${attempt.method} ${attempt.url} → 404 ${attempt.info}`,
			);
		}

		// Their own team cannot take the first user's character either.
		const theirTeam = await createTeamAs(app, second);
		expect((await addToTeam(app, second, theirTeam.id, character.id)).info).toBe("character.notfound");
		// A bulk delete naming the first user's character deletes nothing of theirs.
		const bulk = await as(app, second).post("/api/characters/bulk-delete", { ids: [character.id] });
		expect(bulk.json()).toEqual({ deleted: 0 });

		expect(await snapshot(first, ids)).toEqual(before);
	});
});
