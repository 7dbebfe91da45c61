// GET /api/guilds/{guildId}/usage: exact figures on a built guild (members, their characters, teams, stored bytes,
// jobs, requests), and how requests are counted: on the guild's host or under its path, in memory, written in batches.
import { randomUUID } from "node:crypto";
import { eq, sql } from "drizzle-orm";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { App } from "../../src/core/index.js";
import type { Database } from "../../src/db/index.js";
import { files, guildRequestCounts, jobRecords } from "../../src/db/schema/index.js";
import { anonymous, as } from "../helpers/calls.js";
import { getTestDatabase, resetTestDatabase } from "../helpers/database.js";
import { createCharacterAs, createRosterAs } from "../helpers/domain.js";
import { reference } from "../helpers/fixtures.js";
import {
	addMember,
	buildIdentityApp,
	type LoggedIn,
	loginAs,
	signUp,
	type TestClock,
	type TestUser,
} from "../helpers/identity.js";
import { createGuildWithSlug, onHost } from "../helpers/tenancy.js";

let db: Database;
let app: App;
let clock: TestClock;
/** Apps of the test, closed after it: their last counts are written before the next test empties the database. */
let apps: App[] = [];

/** No periodic flush during a test: counts reach the table when usage is read, or when the app closes. */
const config = { REQUEST_COUNT_FLUSH_MS: 300_000 };

beforeAll(async () => {
	db = await getTestDatabase();
});

beforeEach(async () => {
	await resetTestDatabase(db);
	({ app, clock } = buildIdentityApp(db, { config }));
	apps = [app];
});

afterEach(async () => {
	for (const built of apps) await built.close();
});

const usageOf = (guildId: number) => `/api/guilds/${guildId}/usage`;

async function usage(user: LoggedIn, guildId: number, on: App = app) {
	const response = await as(on, user).get(usageOf(guildId));
	expect(response).toAnswer(200, "usage.found");
	return response.json().usage as {
		members: number;
		characters: number;
		teams: number;
		storedBytes: number;
		jobsLast30Days: number;
		requestsLast24Hours: number;
	};
}

/** A stored (or pending) file row of the guild, as the upload routes write them. */
async function fileOf(guildId: number, size: number, values: Partial<typeof files.$inferInsert> = {}) {
	await db.insert(files).values({
		guildId,
		purpose: "emblem",
		state: "stored",
		storageKey: `files/${randomUUID()}`,
		contentType: "image/png",
		size,
		sha256: "a".repeat(64),
		originalName: "emblem.png",
		...values,
	});
}

/** A job record as the queue writes one when a user asks for a job; `daysAgo` back-dates it. */
async function jobOf(user: TestUser, daysAgo = 0) {
	await db.insert(jobRecords).values({
		jobId: randomUUID(),
		kind: "mail.deliver",
		requestedBy: user.id,
		createdAt: sql`now() - make_interval(days => ${daysAgo})`,
	});
}

async function createTeam(user: LoggedIn, guildId?: number) {
	const response = await as(app, user).post("/api/teams", {
		name: `Team ${randomUUID().slice(0, 8)}`,
		serverId: reference.server.draconiros,
		guildId,
	});
	expect(response).toAnswer(201, "team.created");
}

/** The guild `iop` of an owner and two members, with characters, teams, files and jobs; and what lies outside it. */
async function builtGuild() {
	const owner = await signUp(app);
	const first = await signUp(app);
	const second = await signUp(app);
	const outsider = await signUp(app);
	const guild = await createGuildWithSlug(app, owner, "iop");
	const other = await createGuildWithSlug(app, outsider, "sram");
	// Three invitations by the owner, two accepted: three mail jobs requested by a member.
	await addMember(app, guild.guildId, owner, first, guild.memberRoleId);
	await addMember(app, guild.guildId, owner, second, guild.memberRoleId);
	expect(
		await as(app, owner).post(`/api/guilds/${guild.guildId}/invitations`, { email: "later@example.test" }),
	).toAnswer(201, "invitation.created");
	// Characters: the owner's two, the first member's one; the outsider's two are not the guild's.
	await createRosterAs(app, owner, 2);
	const account = (await createRosterAs(app, first, 0)).account;
	await createCharacterAs(app, first, account.id);
	await createRosterAs(app, outsider, 2);
	// Teams: two of the guild's; the owner's own team and the other guild's are not.
	await createTeam(owner, guild.guildId);
	await createTeam(owner, guild.guildId);
	await createTeam(owner);
	await createTeam(outsider, other.guildId);
	// Files: the emblem and its thumbnail; a pending upload and another guild's emblem do not count.
	await fileOf(guild.guildId, 1_000);
	await fileOf(guild.guildId, 234, { purpose: "emblem-thumbnail" });
	await fileOf(guild.guildId, 5_000, { state: "pending", sha256: null });
	await fileOf(other.guildId, 777);
	// Jobs: one more by a member this week; a member's job of 31 days ago and the outsider's do not count.
	await jobOf(first, 3);
	await jobOf(second, 31);
	await jobOf(outsider);
	return { owner, first, second, outsider, ...guild, otherGuildId: other.guildId };
}

describe("GET /api/guilds/{guildId}/usage", () => {
	it("answers the exact members, characters, teams, stored bytes and jobs of the guild", async () => {
		const { owner, guildId } = await builtGuild();
		expect(await usage(owner, guildId)).toMatchObject({
			members: 3,
			characters: 3,
			teams: 2,
			storedBytes: 1_234,
			jobsLast30Days: 4,
		});
	});

	it("answers zeros but the owner for a guild just created", async () => {
		const owner = await signUp(app);
		const { guildId } = await createGuildWithSlug(app, owner, "iop");
		expect(await usage(owner, guildId)).toEqual({
			members: 1,
			characters: 0,
			teams: 0,
			storedBytes: 0,
			jobsLast30Days: 0,
			// The fixture's GET /api/guilds/{id}/roles.
			requestsLast24Hours: 1,
		});
	});

	it("answers 403 right.missing to a member without guild.manage, 404 to an outsider, 401 without a session", async () => {
		const { first, outsider, guildId } = await builtGuild();
		expect(await as(app, first).get(usageOf(guildId))).toAnswer(403, "right.missing");
		expect(await as(app, outsider).get(usageOf(guildId))).toAnswer(404, "guild.notfound");
		expect(await anonymous(app).get(usageOf(guildId))).toAnswer(401, "session.missing");
	});

	it("answers to a member whose role grants guild.manage", async () => {
		const { owner, guildId } = await builtGuild();
		const role = await as(app, owner).post(`/api/guilds/${guildId}/roles`, {
			name: "Officer",
			permissions: ["guild.manage"],
		});
		const officer = await signUp(app);
		await addMember(app, guildId, owner, officer, role.json().role.id);
		expect((await usage(officer, guildId)).members).toBe(4);
	});
});

describe("requests counted for a guild", () => {
	it("counts requests on its host and under its path, not those refused to outsiders nor other guilds'", async () => {
		const { owner, first, outsider, guildId } = await builtGuild();
		const before = (await usage(owner, guildId)).requestsLast24Hours;
		await onHost(app, "iop.localhost").get("/api/guild");
		await onHost(app, "IOP.localhost:3000", first).get("/api/guild/members");
		await onHost(app, "localhost").get("/api/guild", { "x-guild": "iop" });
		await as(app, first).get(`/api/guilds/${guildId}/members`);
		await as(app, first).get(`/api/guilds/${guildId}`);
		// Not the guild's: refused before anything (no session, not a member), another guild's host, an unknown host.
		await as(app, outsider).get(`/api/guilds/${guildId}/members`);
		await anonymous(app).get(`/api/guilds/${guildId}/members`);
		await onHost(app, "sram.localhost").get("/api/guild");
		await onHost(app, "nobody.localhost").get("/api/guild");
		// Five, and the first usage read.
		expect((await usage(owner, guildId)).requestsLast24Hours - before).toBe(6);
	});

	it("covers the current hour and the 23 before it", async () => {
		const owner = await signUp(app);
		const { guildId } = await createGuildWithSlug(app, owner, "iop");
		const host = onHost(app, "iop.localhost");
		await host.get("/api/guild");
		await host.get("/api/guild");
		// The fixture's GET …/roles and the two profiles.
		expect((await usage(owner, guildId)).requestsLast24Hours).toBe(3);
		// Signing in again (access tokens last 15 minutes) is not a request of the guild's.
		clock.advance(23 * 3_600_000);
		expect((await usage(await loginAs(app, owner), guildId)).requestsLast24Hours).toBe(4);
		clock.advance(3_600_000);
		// Only the read of 23 hours later is left.
		expect((await usage(await loginAs(app, owner), guildId)).requestsLast24Hours).toBe(1);
	});

	it("writes nothing per request: counts reach the table in one row per guild and hour when flushed", async () => {
		const owner = await signUp(app);
		const { guildId } = await createGuildWithSlug(app, owner, "iop");
		for (let n = 0; n < 5; n++) await onHost(app, "iop.localhost").get("/api/guild");
		expect(await db.select().from(guildRequestCounts)).toEqual([]);
		await usage(owner, guildId);
		const rows = await db.select().from(guildRequestCounts).where(eq(guildRequestCounts.guildId, guildId));
		expect(rows).toEqual([{ guildId, hour: new Date("2026-03-01T12:00:00.000Z"), count: 6 }]);
	});

	it("adds up every instance's counts: another app's are written when it closes", async () => {
		const owner = await signUp(app);
		const { guildId } = await createGuildWithSlug(app, owner, "iop");
		const before = (await usage(owner, guildId)).requestsLast24Hours;
		const other = buildIdentityApp(db, { config, clock }).app;
		apps.push(other);
		for (let n = 0; n < 3; n++) await onHost(other, "iop.localhost").get("/api/guild");
		await other.close();
		expect((await usage(owner, guildId)).requestsLast24Hours - before).toBe(4);
	});

	it("keeps the counts a flush could not write, and writes them with the next one", async () => {
		const owner = await signUp(app);
		const { guildId } = await createGuildWithSlug(app, owner, "iop");
		for (let n = 0; n < 3; n++) await onHost(app, "iop.localhost").get("/api/guild");
		// A fault injected in the database itself: the table refuses every write for a while.
		await db.execute(
			sql.raw(`create function refuse_counts() returns trigger language plpgsql as $$
			begin raise exception 'counts unavailable'; end $$`),
		);
		await db.execute(
			sql.raw("create trigger refuse_counts before insert on guild_request_counts execute function refuse_counts()"),
		);
		try {
			expect((await usage(owner, guildId)).requestsLast24Hours).toBe(0);
		} finally {
			await db.execute(sql.raw("drop trigger refuse_counts on guild_request_counts"));
			await db.execute(sql.raw("drop function refuse_counts()"));
		}
		// The fixture's GET …/roles, the three profiles and the usage read that found none.
		expect((await usage(owner, guildId)).requestsLast24Hours).toBe(5);
	});

	it("drops the counts of a guild deleted before they were written", async () => {
		const owner = await signUp(app);
		const { guildId } = await createGuildWithSlug(app, owner, "iop");
		const kept = await createGuildWithSlug(app, owner, "sram");
		await onHost(app, "iop.localhost").get("/api/guild");
		expect(await as(app, owner).delete(`/api/guilds/${guildId}`)).toAnswer(204, "guild.deleted");
		await usage(owner, kept.guildId);
		const rows = await db.select().from(guildRequestCounts);
		expect(rows.map((row) => row.guildId)).toEqual([kept.guildId]);
	});
});
