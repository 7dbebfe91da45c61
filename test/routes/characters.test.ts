// Character routes: create, the filtered/sorted/paginated list, read (owner or guild reader), change, delete, bulk delete.
import { describe, expect, it } from "vitest";
import type { App } from "../../src/core/index.js";
import type { Database } from "../../src/db/index.js";
import { as } from "../helpers/calls.js";
import {
	addToTeam,
	type CharacterBody,
	createAccountAs,
	createCharacterAs,
	createRosterAs,
	createTeamAs,
} from "../helpers/domain.js";
import { reference } from "../helpers/fixtures.js";
import { addMember, createGuildAs, freshAppPerTest, type LoggedIn, signUp } from "../helpers/identity.js";

let db: Database;
let app: App;

freshAppPerTest((fresh) => ({ db, app } = fresh));

async function list(user: LoggedIn, query = "") {
	const response = await as(app, user).get(`/api/characters${query}`);
	expect(response.statusCode, response.body).toBe(200);
	const body = response.json() as {
		characters: CharacterBody[];
		pagination: { page: number; limit: number; total: number; totalPages: number };
	};
	return { ...body, names: body.characters.map((character) => character.name) };
}

describe("POST /api/characters", () => {
	it("creates a character in one of the caller's accounts", async () => {
		const user = await signUp(app);
		const account = await createAccountAs(app, user);
		const body = {
			accountId: account.id,
			name: "Bouftou-Royal",
			level: 42,
			classId: reference.class.cra,
			serverId: reference.server.dakal,
		};
		const response = await app.inject({ method: "POST", url: "/api/characters", headers: user.headers, body });
		expect(response).toAnswer(201, "character.created");
		expect(response.json().character).toMatchObject({ ...body, id: expect.any(Number) });
	});

	it("answers 400 for a name of one letter, a level past 200 or a missing class", async () => {
		const user = await signUp(app);
		const account = await createAccountAs(app, user);
		const base = {
			accountId: account.id,
			name: "Valid",
			level: 10,
			classId: reference.class.iop,
			serverId: reference.server.dakal,
		};
		const post = (body: object) => app.inject({ method: "POST", url: "/api/characters", headers: user.headers, body });
		expect((await post({ ...base, name: "X" })).info).toBe("TYPE_ERROR.body.name");
		expect((await post({ ...base, level: 201 })).info).toBe("TYPE_ERROR.body.level");
		expect((await post({ ...base, classId: undefined })).info).toBe("TYPE_ERROR.body.classId");
	});

	it("answers 404 for an unknown class or server", async () => {
		const user = await signUp(app);
		const account = await createAccountAs(app, user);
		const base = {
			accountId: account.id,
			name: "Valid",
			level: 10,
			classId: reference.class.iop,
			serverId: reference.server.dakal,
		};
		const post = (body: object) => app.inject({ method: "POST", url: "/api/characters", headers: user.headers, body });
		const noClass = await post({ ...base, classId: 9999 });
		const noServer = await post({ ...base, serverId: 9999 });
		expect([noClass.statusCode, noClass.info, noServer.statusCode, noServer.info]).toEqual([
			404,
			"class.notfound",
			404,
			"server.notfound",
		]);
	});

	it("answers 404 account.notfound for another user's account or a missing one", async () => {
		const owner = await signUp(app);
		const stranger = await signUp(app);
		const account = await createAccountAs(app, owner);
		const base = { name: "Intruder", level: 10, classId: reference.class.iop, serverId: reference.server.dakal };
		const hidden = await as(app, stranger).post("/api/characters", { ...base, accountId: account.id });
		const missing = await as(app, stranger).post("/api/characters", { ...base, accountId: 99999 });
		expect([hidden.statusCode, hidden.info, missing.statusCode, missing.info]).toEqual([
			404,
			"account.notfound",
			404,
			"account.notfound",
		]);
	});

	it("answers 409 character.name_taken for a name already used on the server, whatever its case", async () => {
		const user = await signUp(app);
		const account = await createAccountAs(app, user);
		await createCharacterAs(app, user, account.id, { name: "Ecaflip", serverId: reference.server.dakal });
		const response = await as(app, user).post("/api/characters", {
			accountId: account.id,
			name: "ecaflip",
			level: 1,
			classId: reference.class.iop,
			serverId: reference.server.dakal,
		});
		expect(response).toAnswer(409, "character.name_taken");
		await createCharacterAs(app, user, account.id, { name: "Ecaflip", serverId: reference.server.draconiros });
	});
});

describe("GET /api/characters", () => {
	it("lists only the caller's characters, by name, with the pagination", async () => {
		const user = await signUp(app);
		const other = await signUp(app);
		const account = await createAccountAs(app, user);
		for (const name of ["Zed", "alma", "Bruno"]) await createCharacterAs(app, user, account.id, { name });
		await createRosterAs(app, other, 2);
		const page = await list(user);
		expect(page.names).toEqual(["alma", "Bruno", "Zed"]);
		expect(page.pagination).toEqual({ page: 1, limit: 20, total: 3, totalPages: 1 });
	});

	it("pages with a stable order: ties are broken on id, no character appears twice", async () => {
		const user = await signUp(app);
		const { characters } = await createRosterAs(app, user, 7, { level: 50 });
		const pages = [
			await list(user, "?sort=level&limit=3&page=1"),
			await list(user, "?sort=level&limit=3&page=2"),
			await list(user, "?sort=level&limit=3&page=3"),
		];
		expect(pages.flatMap((page) => page.characters.map((character) => character.id))).toEqual(
			characters.map((character) => character.id),
		);
		expect(pages[2]?.pagination).toEqual({ page: 3, limit: 3, total: 7, totalPages: 3 });
	});

	it("answers an empty page past the end with the right total", async () => {
		const user = await signUp(app);
		await createRosterAs(app, user, 3);
		const page = await list(user, "?page=5&limit=2");
		expect([page.characters, page.pagination]).toEqual([[], { page: 5, limit: 2, total: 3, totalPages: 2 }]);
	});

	it("sorts by level or updatedAt, ascending or descending", async () => {
		const user = await signUp(app);
		const account = await createAccountAs(app, user);
		await createCharacterAs(app, user, account.id, { name: "Mid", level: 100 });
		await createCharacterAs(app, user, account.id, { name: "Low", level: 10 });
		const high = await createCharacterAs(app, user, account.id, { name: "High", level: 200 });
		expect((await list(user, "?sort=level:desc")).names).toEqual(["High", "Mid", "Low"]);
		expect((await list(user, "?sort=level:asc")).names).toEqual(["Low", "Mid", "High"]);
		await as(app, user).patch(`/api/characters/${high.id}`, { level: 199 });
		expect((await list(user, "?sort=updatedAt:desc")).names[0]).toBe("High");
	});

	it("searches names case-insensitively, and filters by class, server, account and level range", async () => {
		const user = await signUp(app);
		const main = await createAccountAs(app, user);
		const mules = await createAccountAs(app, user);
		await createCharacterAs(app, user, main.id, {
			name: "Iop-Rouge",
			classId: reference.class.iop,
			serverId: reference.server.dakal,
			level: 20,
		});
		await createCharacterAs(app, user, main.id, {
			name: "Cra-Bleu",
			classId: reference.class.cra,
			serverId: reference.server.draconiros,
			level: 120,
		});
		await createCharacterAs(app, user, mules.id, {
			name: "Eni-Rouge",
			classId: reference.class.eniripsa,
			serverId: reference.server.dakal,
			level: 180,
		});
		expect((await list(user, "?search=ROUGE")).names).toEqual(["Eni-Rouge", "Iop-Rouge"]);
		expect((await list(user, `?search=%25`)).names).toEqual([]);
		expect((await list(user, `?classIds=${reference.class.iop}&classIds=${reference.class.cra}`)).names).toEqual([
			"Cra-Bleu",
			"Iop-Rouge",
		]);
		expect((await list(user, `?classIds=${reference.class.iop},${reference.class.eniripsa}`)).names).toEqual([
			"Eni-Rouge",
			"Iop-Rouge",
		]);
		expect((await list(user, `?serverIds=${reference.server.draconiros}`)).names).toEqual(["Cra-Bleu"]);
		expect((await list(user, `?accountIds=${mules.id}`)).names).toEqual(["Eni-Rouge"]);
		expect((await list(user, "?minLevel=100&maxLevel=150")).names).toEqual(["Cra-Bleu"]);
		expect((await list(user, `?search=rouge&serverIds=${reference.server.dakal}&minLevel=100`)).names).toEqual([
			"Eni-Rouge",
		]);
	});

	it("answers 400 level.range_invalid when minLevel is above maxLevel", async () => {
		const user = await signUp(app);
		const response = await as(app, user).get("/api/characters?minLevel=150&maxLevel=100");
		expect([response.statusCode, response.info, response.json().error]).toEqual([
			400,
			"level.range_invalid",
			"level.range_invalid",
		]);
	});

	it("answers 400 for a bad page, limit, sort, id list or a list longer than 50", async () => {
		const user = await signUp(app);
		const info = async (query: string) => (await as(app, user).get(`/api/characters${query}`)).info;
		expect(await info("?page=0")).toBe("TYPE_ERROR.query.page");
		expect(await info("?limit=101")).toBe("TYPE_ERROR.query.limit");
		expect(await info("?sort=age")).toBe("TYPE_ERROR.query.sort");
		expect(await info("?classIds=1,abc")).toBe("TYPE_ERROR.query.classIds");
		expect(await info(`?serverIds=${Array.from({ length: 51 }, (_, index) => index + 1).join(",")}`)).toBe(
			"TYPE_ERROR.query.serverIds",
		);
	});
});

describe("GET /api/characters/{characterId}", () => {
	it("answers the caller's character", async () => {
		const user = await signUp(app);
		const { characters } = await createRosterAs(app, user, 1);
		const response = await as(app, user).get(`/api/characters/${characters[0]?.id}`);
		expect([response.statusCode, response.info, response.json().character.id]).toEqual([
			200,
			"character.found",
			characters[0]?.id,
		]);
	});

	it("answers 404 to a stranger, exactly as for a missing character", async () => {
		const owner = await signUp(app);
		const stranger = await signUp(app);
		const { characters } = await createRosterAs(app, owner, 1);
		const hidden = await as(app, stranger).get(`/api/characters/${characters[0]?.id}`);
		const missing = await as(app, stranger).get("/api/characters/99999");
		expect(hidden).toAnswer(404, "character.notfound");
		expect(missing.body).toBe(hidden.body);
	});

	it("lets a guild fellow with character.view read it, but not change it", async () => {
		const owner = await signUp(app);
		const fellow = await signUp(app);
		const { guildId, memberRoleId } = await createGuildAs(app, owner);
		await addMember(app, guildId, owner, fellow, memberRoleId);
		const { characters } = await createRosterAs(app, owner, 1);
		const id = characters[0]?.id;
		expect((await as(app, fellow).get(`/api/characters/${id}`)).statusCode).toBe(200);
		const change = await as(app, fellow).patch(`/api/characters/${id}`, { level: 1 });
		expect(change).toAnswer(404, "character.notfound");
	});

	it("answers 404 to a guild fellow whose role lacks character.view", async () => {
		const owner = await signUp(app);
		const fellow = await signUp(app);
		const { guildId } = await createGuildAs(app, owner);
		const role = await as(app, owner).post(`/api/guilds/${guildId}/roles`, { name: "Recrue", permissions: [] });
		await addMember(app, guildId, owner, fellow, role.json().role.id);
		const { characters } = await createRosterAs(app, owner, 1);
		expect((await as(app, fellow).get(`/api/characters/${characters[0]?.id}`)).statusCode).toBe(404);
	});
});

describe("PATCH /api/characters/{characterId}", () => {
	it("changes name, level, class, server and account", async () => {
		const user = await signUp(app);
		const { characters } = await createRosterAs(app, user, 1);
		const other = await createAccountAs(app, user);
		const changes = {
			name: "Renamed",
			level: 199,
			classId: reference.class.cra,
			serverId: reference.server.dakal,
			accountId: other.id,
		};
		const response = await as(app, user).patch(`/api/characters/${characters[0]?.id}`, changes);
		expect(response).toAnswer(200, "character.updated");
		expect(response.json().character).toMatchObject(changes);
	});

	it("answers 404 for a target account, class or server that is not there (or not mine)", async () => {
		const user = await signUp(app);
		const stranger = await signUp(app);
		const theirs = await createAccountAs(app, stranger);
		const { characters } = await createRosterAs(app, user, 1);
		const patch = (body: object) =>
			app.inject({ method: "PATCH", url: `/api/characters/${characters[0]?.id}`, headers: user.headers, body });
		expect((await patch({ accountId: theirs.id })).info).toBe("account.notfound");
		expect((await patch({ accountId: 99999 })).info).toBe("account.notfound");
		expect((await patch({ classId: 9999 })).info).toBe("class.notfound");
		expect((await patch({ serverId: 9999 })).info).toBe("server.notfound");
		expect((await patch({ level: 0 })).info).toBe("TYPE_ERROR.body.level");
	});

	it("answers 409 character.name_taken for a name used on the server", async () => {
		const user = await signUp(app);
		const { characters } = await createRosterAs(app, user, 2);
		const response = await as(app, user).patch(`/api/characters/${characters[1]?.id}`, { name: characters[0]?.name });
		expect(response).toAnswer(409, "character.name_taken");
	});

	it("answers 409 team.server_mismatch when a character in a team would change server", async () => {
		const user = await signUp(app);
		const { characters } = await createRosterAs(app, user, 1);
		const team = await createTeamAs(app, user);
		await addToTeam(app, user, team.id, characters[0]?.id ?? 0);
		const response = await as(app, user).patch(`/api/characters/${characters[0]?.id}`, {
			serverId: reference.server.dakal,
		});
		expect(response).toAnswer(409, "team.server_mismatch");
	});
});

describe("DELETE /api/characters/{characterId}", () => {
	it("deletes the caller's character", async () => {
		const user = await signUp(app);
		const { characters } = await createRosterAs(app, user, 1);
		const response = await as(app, user).delete(`/api/characters/${characters[0]?.id}`);
		expect(response).toAnswer(204, "character.deleted");
		expect((await list(user)).characters).toEqual([]);
	});

	it("answers 404 to a stranger and keeps the character", async () => {
		const owner = await signUp(app);
		const stranger = await signUp(app);
		const { characters } = await createRosterAs(app, owner, 1);
		const response = await as(app, stranger).delete(`/api/characters/${characters[0]?.id}`);
		expect(response).toAnswer(404, "character.notfound");
		expect((await list(owner)).characters).toHaveLength(1);
	});
});

describe("POST /api/characters/bulk-delete", () => {
	it("deletes the caller's characters among the ids and ignores the others", async () => {
		const user = await signUp(app);
		const stranger = await signUp(app);
		const mine = (await createRosterAs(app, user, 3)).characters;
		const theirs = (await createRosterAs(app, stranger, 1)).characters;
		const ids = [mine[0]?.id, mine[1]?.id, theirs[0]?.id, 99999];
		const response = await as(app, user).post("/api/characters/bulk-delete", { ids });
		expect([response.statusCode, response.info, response.json()]).toEqual([
			200,
			"character.bulk_deleted",
			{ deleted: 2 },
		]);
		expect((await list(user)).characters.map((character) => character.id)).toEqual([mine[2]?.id]);
		expect((await list(stranger)).characters).toHaveLength(1);
	});

	it("answers 400 for more than 100 ids or ids that are not positive integers", async () => {
		const user = await signUp(app);
		const post = (ids: unknown) => as(app, user).post("/api/characters/bulk-delete", { ids });
		expect((await post(Array.from({ length: 101 }, (_, index) => index + 1))).info).toBe("TYPE_ERROR.body.ids");
		expect((await post([0])).info).toBe("TYPE_ERROR.body.ids");
	});
});
