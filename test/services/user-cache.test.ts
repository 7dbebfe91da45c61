// Specification of the per-user cache: hot reads served from memory, and never stale after a write, on any instance
// (two apps on one database, each following the other's changes: LISTEN/NOTIFY on PostgreSQL, in process on PGlite).
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { App, InjectResponse } from "../../src/core/index.js";
import type { DatabaseHandle } from "../../src/db/index.js";
import { createUserCache, type UserCache } from "../../src/services/user-cache.js";
import { followUserChanges } from "../../src/services/user-changes.js";
import { as } from "../helpers/calls.js";
import { getTestDatabaseHandle, resetTestDatabase, testJobQueueOf } from "../helpers/database.js";
import { addToTeam, createAccountAs, createCharacterAs, createTeamAs } from "../helpers/domain.js";
import { addMember, buildIdentityApp, createGuildWithMember, signUp, testClock } from "../helpers/identity.js";
import { secondDatabaseHandle } from "../helpers/realtime.js";

interface Instance {
	app: App;
	cache: UserCache;
	stop: () => Promise<void>;
}

let first: DatabaseHandle;
let second: { handle: DatabaseHandle; close: () => Promise<void> };
let a: Instance;
let b: Instance;

/** One API instance on `handle`, as runtime.ts wires it: its own user cache, following every instance's writes. */
async function instance(handle: DatabaseHandle, clock: ReturnType<typeof testClock>): Promise<Instance> {
	const cache = createUserCache(handle.db, { ttlMs: 300_000 });
	const unfollow = await followUserChanges(handle, cache);
	const { app } = buildIdentityApp(handle.db, { clock, userCache: cache, jobs: testJobQueueOf(first.db) });
	return { app, cache, stop: unfollow };
}

beforeAll(async () => {
	first = await getTestDatabaseHandle();
});

beforeEach(async () => {
	await resetTestDatabase(first.db);
	second = await secondDatabaseHandle();
	const clock = testClock();
	a = await instance(first, clock);
	b = await instance(second.handle, clock);
});

afterEach(async () => {
	await a.stop();
	await b.stop();
	await second.close();
});

/** Asks `ask` every 20 ms until `done` holds of its answer; resolves with the wait, or fails after `withinMs`. */
async function waitFor(
	ask: () => Promise<InjectResponse>,
	done: (answer: InjectResponse) => boolean,
	withinMs = 1_000,
) {
	const started = performance.now();
	for (;;) {
		const answer = await ask();
		const elapsed = performance.now() - started;
		if (done(answer)) return elapsed;
		if (elapsed > withinMs) throw new Error(`still ${answer.body.slice(0, 200)} after ${Math.round(elapsed)} ms`);
		await new Promise((resolve) => setTimeout(resolve, 20));
	}
}

const names = (answer: InjectResponse) => (answer.json().characters as { name: string }[]).map((c) => c.name);
const teamCounts = (answer: InjectResponse) =>
	(answer.json().teams as { name: string; memberCount: number }[]).map((team) => `${team.name}:${team.memberCount}`);

describe("the user cache", () => {
	it("serves the first plain page of GET /api/characters from memory, with the same answer and headers", async () => {
		const user = await signUp(a.app);
		const account = await createAccountAs(a.app, user);
		await createCharacterAs(a.app, user, account.id, { name: "Ocre" });
		const fresh = await as(a.app, user).get("/api/characters");
		// The creation's own notification may arrive after the first read and drop its entry once: read twice more.
		const later = [await as(a.app, user).get("/api/characters"), await as(a.app, user).get("/api/characters")];
		const headers = (answer: InjectResponse) => {
			const { "x-request-id": _id, ...rest } = answer.headers;
			return rest;
		};
		for (const cached of later) {
			expect(cached).toAnswer(200, "character.list");
			expect(cached.body).toBe(fresh.body);
			expect(headers(cached)).toEqual(headers(fresh));
			expect(cached.headers.etag).toBeUndefined();
		}
		expect(a.cache.stats().characters.hits).toBeGreaterThanOrEqual(1);
	});

	it("leaves filtered, sorted and later pages to the database", async () => {
		const user = await signUp(a.app);
		const account = await createAccountAs(a.app, user);
		await createCharacterAs(a.app, user, account.id);
		for (const query of ["?page=2", "?sort=level", "?search=perso", `?accountIds=${account.id}`, "?minLevel=1"])
			await as(a.app, user).get(`/api/characters${query}`);
		expect(a.cache.stats().characters).toMatchObject({ hits: 0, misses: 0 });
	});

	it("shows the writer's own change on the same instance at once", async () => {
		const user = await signUp(a.app);
		const account = await createAccountAs(a.app, user);
		const character = await createCharacterAs(a.app, user, account.id, { name: "Ocre" });
		expect(names(await as(a.app, user).get("/api/characters"))).toEqual(["Ocre"]);
		await as(a.app, user).patch(`/api/characters/${character.id}`, { name: "Sadida" });
		expect(names(await as(a.app, user).get("/api/characters"))).toEqual(["Sadida"]);
		await as(a.app, user).delete(`/api/characters/${character.id}`);
		expect(names(await as(a.app, user).get("/api/characters"))).toEqual([]);
	});

	it("shows a character created on another instance within 1 s", async () => {
		const user = await signUp(a.app);
		const account = await createAccountAs(a.app, user);
		expect(names(await as(b.app, user).get("/api/characters"))).toEqual([]);
		expect(names(await as(b.app, user).get("/api/characters"))).toEqual([]);
		await createCharacterAs(a.app, user, account.id, { name: "Ocre" });
		const waited = await waitFor(
			() => as(b.app, user).get("/api/characters"),
			(answer) => names(answer).includes("Ocre"),
		);
		expect(waited).toBeLessThan(1_000);
	});

	it("drops the characters of a game account deleted on another instance within 1 s", async () => {
		const user = await signUp(a.app);
		const account = await createAccountAs(a.app, user);
		await createCharacterAs(a.app, user, account.id, { name: "Ocre" });
		expect(names(await as(b.app, user).get("/api/characters"))).toEqual(["Ocre"]);
		await as(a.app, user).delete(`/api/accounts/${account.id}?cascade=true`);
		await waitFor(
			() => as(b.app, user).get("/api/characters"),
			(answer) => names(answer).length === 0,
		);
	});

	it("shows every member a guild team created by a fellow on another instance within 1 s", async () => {
		const { owner, member, guildId } = await createGuildWithMember(a.app);
		expect(teamCounts(await as(b.app, member).get("/api/teams"))).toEqual([]);
		expect(teamCounts(await as(b.app, owner).get("/api/teams"))).toEqual([]);
		await createTeamAs(a.app, owner, { name: "Donjons", guildId });
		for (const user of [member, owner])
			await waitFor(
				() => as(b.app, user).get("/api/teams"),
				(answer) => teamCounts(answer).includes("Donjons:0"),
			);
	});

	it("shows guild fellows the member count of a guild team that changed on another instance within 1 s", async () => {
		const { owner, member, guildId } = await createGuildWithMember(a.app);
		const team = await createTeamAs(a.app, owner, { name: "Donjons", guildId });
		const account = await createAccountAs(a.app, owner);
		const character = await createCharacterAs(a.app, owner, account.id);
		expect(teamCounts(await as(b.app, member).get("/api/teams"))).toEqual(["Donjons:0"]);
		expect(await addToTeam(a.app, owner, team.id, character.id)).toAnswer(201, "team.member_added");
		await waitFor(
			() => as(b.app, member).get("/api/teams"),
			(answer) => teamCounts(answer).includes("Donjons:1"),
		);
		// The owner deletes the character: it leaves the team, and the member's count with it.
		await as(a.app, owner).delete(`/api/characters/${character.id}`);
		await waitFor(
			() => as(b.app, member).get("/api/teams"),
			(answer) => teamCounts(answer).includes("Donjons:0"),
		);
	});

	it("shows a new member the guild's teams, and a removed one no longer, within 1 s", async () => {
		const owner = await signUp(a.app);
		const newcomer = await signUp(a.app);
		const created = await a.app.inject({
			method: "POST",
			url: "/api/guilds",
			headers: owner.headers,
			body: { name: "Les Bouftous" },
		});
		const guildId = created.json().guild.id as number;
		const roles = (await as(a.app, owner).get(`/api/guilds/${guildId}/roles`)).json().roles as {
			id: number;
			kind: string;
		}[];
		await createTeamAs(a.app, owner, { name: "Donjons", guildId });
		expect(teamCounts(await as(b.app, newcomer).get("/api/teams"))).toEqual([]);
		await addMember(a.app, guildId, owner, newcomer, roles.find((role) => role.kind === "member")?.id ?? 0);
		await waitFor(
			() => as(b.app, newcomer).get("/api/teams"),
			(answer) => teamCounts(answer).includes("Donjons:0"),
		);
		await as(a.app, owner).delete(`/api/guilds/${guildId}/members/${newcomer.id}`);
		await waitFor(
			() => as(b.app, newcomer).get("/api/teams"),
			(answer) => teamCounts(answer).length === 0,
		);
	});

	it("drops a deleted guild's teams from its members' lists on another instance within 1 s", async () => {
		const { owner, member, guildId } = await createGuildWithMember(a.app);
		await createTeamAs(a.app, owner, { name: "Donjons", guildId });
		expect(teamCounts(await as(b.app, member).get("/api/teams"))).toEqual(["Donjons:0"]);
		await as(a.app, owner).delete(`/api/guilds/${guildId}`);
		await waitFor(
			() => as(b.app, member).get("/api/teams"),
			(answer) => teamCounts(answer).length === 0,
		);
	});

	it("keeps other users' entries when one user's view changes", async () => {
		const first = await signUp(a.app);
		const other = await signUp(a.app);
		const account = await createAccountAs(a.app, first);
		await as(b.app, other).get("/api/characters");
		await createCharacterAs(a.app, first, account.id);
		await new Promise((resolve) => setTimeout(resolve, 100));
		await as(b.app, other).get("/api/characters");
		expect(b.cache.stats().characters).toMatchObject({ hits: 1, misses: 1, invalidations: 0 });
	});
});

describe("createUserCache", () => {
	it("answers a load that a change overtook, but does not keep it", async () => {
		const cache = createUserCache(first.db, { ttlMs: 60_000 });
		let release: (value: { characters: never[]; total: number }) => void = () => {};
		const slow = cache.characterPage(
			7,
			20,
			() =>
				new Promise((resolve) => {
					release = resolve;
				}),
		);
		cache.forget({ users: [7] });
		release({ characters: [], total: 0 });
		expect(await slow).toEqual({ characters: [], total: 0 });
		let loads = 0;
		await cache.characterPage(7, 20, async () => {
			loads++;
			return { characters: [], total: 1 };
		});
		expect(loads).toBe(1);
	});

	it("shares one load among concurrent misses of a user", async () => {
		const cache = createUserCache(first.db, { ttlMs: 60_000 });
		let loads = 0;
		const load = async () => {
			loads++;
			return { characters: [], total: 0 };
		};
		await Promise.all([cache.characterPage(7, 20, load), cache.characterPage(7, 20, load)]);
		expect(loads).toBe(1);
		expect(cache.stats().characters).toMatchObject({ misses: 1, sharedMisses: 1 });
	});

	it("caches nothing with a TTL of 0", async () => {
		const cache = createUserCache(first.db, { ttlMs: 0 });
		let loads = 0;
		const load = async () => {
			loads++;
			return { characters: [], total: 0 };
		};
		await cache.characterPage(7, 20, load);
		await cache.characterPage(7, 20, load);
		expect(loads).toBe(2);
	});
});
