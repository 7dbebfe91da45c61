// Progression routes: a character's statuses (read, set), a team's dungeon matrix, a guild's per-member summary.
import { describe, expect, it } from "vitest";
import type { App } from "../../src/core/index.js";
import type { Database } from "../../src/db/index.js";
import { dungeonRows } from "../../src/db/seed/data/dungeons.js";
import { as } from "../helpers/calls.js";
import { addToTeam, createRosterAs, createTeamAs, setProgress } from "../helpers/domain.js";
import { reference } from "../helpers/fixtures.js";
import { addMember, createGuildAs, freshAppPerTest, signUp } from "../helpers/identity.js";

let db: Database;
let app: App;

freshAppPerTest((fresh) => ({ db, app } = fresh));

const dungeon = reference.dungeon.kardorim;

describe("PUT /api/characters/{characterId}/progressions/{kind}/{refId}", () => {
	it("sets a status, then replaces it", async () => {
		const user = await signUp(app);
		const id = (await createRosterAs(app, user, 1)).characters[0]?.id ?? 0;
		const first = await setProgress(app, user, id, "dungeon", dungeon, "in_progress");
		expect([first.statusCode, first.info, first.json().progression]).toEqual([
			200,
			"progression.saved",
			{ kind: "dungeon", refId: dungeon, status: "in_progress", updatedAt: expect.any(String) },
		]);
		const second = await setProgress(app, user, id, "dungeon", dungeon, "done");
		expect(second.json().progression.status).toBe("done");
		const listed = await as(app, user).get(`/api/characters/${id}/progressions`);
		expect(listed.json().progressions).toHaveLength(1);
	});

	it("accepts any positive id for quests and achievements (no reference table yet)", async () => {
		const user = await signUp(app);
		const id = (await createRosterAs(app, user, 1)).characters[0]?.id ?? 0;
		expect((await setProgress(app, user, id, "quest", 123456, "done")).statusCode).toBe(200);
		expect((await setProgress(app, user, id, "achievement", 7, "todo")).statusCode).toBe(200);
	});

	it("answers 404 dungeon.notfound for an unknown dungeon, 400 for a bad kind or status", async () => {
		const user = await signUp(app);
		const id = (await createRosterAs(app, user, 1)).characters[0]?.id ?? 0;
		const unknown = await setProgress(app, user, id, "dungeon", 9999, "done");
		expect(unknown).toAnswer(404, "dungeon.notfound");
		expect((await setProgress(app, user, id, "raid", 1, "done")).info).toBe("TYPE_ERROR.params.kind");
		expect((await setProgress(app, user, id, "quest", 1, "finished")).info).toBe("TYPE_ERROR.body.status");
	});

	it("answers 404 character.notfound to a stranger and to a guild reader", async () => {
		const owner = await signUp(app);
		const fellow = await signUp(app);
		const stranger = await signUp(app);
		const { guildId, memberRoleId } = await createGuildAs(app, owner);
		await addMember(app, guildId, owner, fellow, memberRoleId);
		const id = (await createRosterAs(app, owner, 1)).characters[0]?.id ?? 0;
		expect((await setProgress(app, stranger, id, "quest", 1, "done")).info).toBe("character.notfound");
		expect((await setProgress(app, fellow, id, "quest", 1, "done")).info).toBe("character.notfound");
	});
});

describe("GET /api/characters/{characterId}/progressions", () => {
	it("lists the statuses, filtered by kind and status", async () => {
		const user = await signUp(app);
		const id = (await createRosterAs(app, user, 1)).characters[0]?.id ?? 0;
		await setProgress(app, user, id, "dungeon", 1, "done");
		await setProgress(app, user, id, "dungeon", 2, "todo");
		await setProgress(app, user, id, "quest", 5, "done");
		const all = await as(app, user).get(`/api/characters/${id}/progressions`);
		expect([all.statusCode, all.info, all.json().progressions.length]).toEqual([200, "progression.list", 3]);
		const dungeonsDone = await as(app, user).get(`/api/characters/${id}/progressions?kind=dungeon&status=done`);
		expect(dungeonsDone.json().progressions.map((row: { refId: number }) => row.refId)).toEqual([1]);
		expect((await as(app, user).get(`/api/characters/${id}/progressions?status=over`)).info).toBe(
			"TYPE_ERROR.query.status",
		);
	});

	it("is readable by a guild fellow with character.view, not by a stranger", async () => {
		const owner = await signUp(app);
		const fellow = await signUp(app);
		const stranger = await signUp(app);
		const { guildId, memberRoleId } = await createGuildAs(app, owner);
		await addMember(app, guildId, owner, fellow, memberRoleId);
		const id = (await createRosterAs(app, owner, 1)).characters[0]?.id ?? 0;
		await setProgress(app, owner, id, "quest", 1, "done");
		expect((await as(app, fellow).get(`/api/characters/${id}/progressions`)).json().progressions).toHaveLength(1);
		const hidden = await as(app, stranger).get(`/api/characters/${id}/progressions`);
		expect(hidden).toAnswer(404, "character.notfound");
	});
});

describe("GET /api/teams/{teamId}/progressions", () => {
	it("answers every dungeon × the team's characters, todo where nothing was said", async () => {
		const user = await signUp(app);
		const team = await createTeamAs(app, user);
		const { characters } = await createRosterAs(app, user, 2);
		const [first, second] = characters.map((character) => character.id) as [number, number];
		await addToTeam(app, user, team.id, first);
		await addToTeam(app, user, team.id, second);
		await setProgress(app, user, first, "dungeon", dungeon, "done");
		await setProgress(app, user, second, "dungeon", dungeon, "in_progress");
		const response = await as(app, user).get(`/api/teams/${team.id}/progressions?kind=dungeon`);
		expect(response).toAnswer(200, "progression.matrix");
		const body = response.json();
		expect(body.characters.map((character: { id: number }) => character.id)).toEqual([first, second]);
		expect(body.rows).toHaveLength(dungeonRows.length);
		expect(body.rows[0]).toEqual({
			refId: dungeon,
			name: "Crypte de Kardorim",
			level: 10,
			statuses: ["done", "in_progress"],
		});
		expect(body.rows[1].statuses).toEqual(["todo", "todo"]);
	});

	it("lists, for quests, the refs some member has a status for", async () => {
		const user = await signUp(app);
		const team = await createTeamAs(app, user);
		const id = (await createRosterAs(app, user, 1)).characters[0]?.id ?? 0;
		await addToTeam(app, user, team.id, id);
		await setProgress(app, user, id, "quest", 42, "done");
		const response = await as(app, user).get(`/api/teams/${team.id}/progressions?kind=quest`);
		expect(response.json().rows).toEqual([{ refId: 42, name: null, level: null, statuses: ["done"] }]);
	});

	it("answers 404 team.notfound to a stranger, 400 for an unknown kind", async () => {
		const owner = await signUp(app);
		const stranger = await signUp(app);
		const team = await createTeamAs(app, owner);
		const hidden = await as(app, stranger).get(`/api/teams/${team.id}/progressions`);
		expect(hidden).toAnswer(404, "team.notfound");
		expect((await as(app, owner).get(`/api/teams/${team.id}/progressions?kind=raid`)).info).toBe(
			"TYPE_ERROR.query.kind",
		);
	});
});

describe("GET /api/guilds/{guildId}/progressions/summary", () => {
	it("counts, per member, characters and progressions by kind and status", async () => {
		const owner = await signUp(app);
		const member = await signUp(app);
		const { guildId, memberRoleId } = await createGuildAs(app, owner);
		await addMember(app, guildId, owner, member, memberRoleId);
		const id = (await createRosterAs(app, member, 2)).characters[0]?.id ?? 0;
		await setProgress(app, member, id, "dungeon", 1, "done");
		await setProgress(app, member, id, "dungeon", 2, "done");
		await setProgress(app, member, id, "quest", 3, "in_progress");
		const response = await as(app, owner).get(`/api/guilds/${guildId}/progressions/summary`);
		expect(response).toAnswer(200, "progression.summary");
		const zero = { todo: 0, in_progress: 0, done: 0 };
		expect(response.json().members).toEqual([
			{
				userId: owner.id,
				displayName: owner.displayName,
				characters: 0,
				progressions: { quest: zero, achievement: zero, dungeon: zero },
			},
			{
				userId: member.id,
				displayName: member.displayName,
				characters: 2,
				progressions: { quest: { ...zero, in_progress: 1 }, achievement: zero, dungeon: { ...zero, done: 2 } },
			},
		]);
	});

	it("answers 403 right.missing without character.view and 404 guild.notfound to an outsider", async () => {
		const owner = await signUp(app);
		const recruit = await signUp(app);
		const outsider = await signUp(app);
		const { guildId } = await createGuildAs(app, owner);
		const role = await as(app, owner).post(`/api/guilds/${guildId}/roles`, { name: "Recrue", permissions: [] });
		await addMember(app, guildId, owner, recruit, role.json().role.id);
		const refused = await as(app, recruit).get(`/api/guilds/${guildId}/progressions/summary`);
		const hidden = await as(app, outsider).get(`/api/guilds/${guildId}/progressions/summary`);
		expect([refused.statusCode, refused.info, hidden.statusCode, hidden.info]).toEqual([
			403,
			"right.missing",
			404,
			"guild.notfound",
		]);
	});
});
