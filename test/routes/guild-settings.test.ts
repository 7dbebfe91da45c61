// Guild settings: GET (members) and PUT (guild.manage) /api/guilds/{guildId}/settings, every field validated; and what
// they change: the role invitations give by default, the member limit on acceptance, who sees the host's profile.
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { App } from "../../src/core/index.js";
import type { Database } from "../../src/db/index.js";
import { anonymous, as } from "../helpers/calls.js";
import { getTestDatabase, resetTestDatabase } from "../helpers/database.js";
import { addMember, buildIdentityApp, createGuildWithMember, signUp } from "../helpers/identity.js";
import { createGuildWithSlug, onHost } from "../helpers/tenancy.js";

let db: Database;
let app: App;

beforeAll(async () => {
	db = await getTestDatabase();
});

beforeEach(async () => {
	await resetTestDatabase(db);
	({ app } = buildIdentityApp(db));
});

const settingsOf = (guildId: number) => `/api/guilds/${guildId}/settings`;

/** A custom role created through the API; its id. */
async function createRole(owner: { headers: { authorization: string } }, guildId: number, name: string) {
	const response = await as(app, owner).post(`/api/guilds/${guildId}/roles`, { name, permissions: ["team.manage"] });
	expect(response).toAnswer(201, "role.created");
	return response.json().role.id as number;
}

/** Sends an invitation (with `roleId`, or none) and answers the token and the role it gives. */
async function invite(
	inviter: { headers: { authorization: string } },
	guildId: number,
	email: string,
	roleId?: number,
) {
	const response = await as(app, inviter).post(`/api/guilds/${guildId}/invitations`, { email, roleId });
	expect(response).toAnswer(201, "invitation.created");
	return response.json() as { token: string; roleId: number };
}

describe("GET /api/guilds/{guildId}/settings", () => {
	it("answers the defaults to any member of a guild whose settings never changed", async () => {
		const { member, guildId } = await createGuildWithMember(app);
		const response = await as(app, member).get(settingsOf(guildId));
		expect(response).toAnswer(200, "settings.found");
		expect(response.json().settings).toEqual({
			locale: "en",
			timezone: "UTC",
			visibility: "public",
			defaultRoleId: null,
			memberLimit: 1000,
			updatedAt: null,
		});
	});

	it("answers 404 guild.notfound to a user outside the guild, and 401 without a session", async () => {
		const { guildId } = await createGuildWithMember(app);
		const outsider = await signUp(app);
		expect(await as(app, outsider).get(settingsOf(guildId))).toAnswer(404, "guild.notfound");
		expect(await anonymous(app).get(settingsOf(guildId))).toAnswer(401, "session.missing");
	});
});

describe("PUT /api/guilds/{guildId}/settings", () => {
	it("changes the fields sent, keeps the others, and answers them all", async () => {
		const { owner, guildId } = await createGuildWithMember(app);
		const response = await as(app, owner).put(settingsOf(guildId), { locale: "fr", memberLimit: 50 });
		expect(response).toAnswer(200, "settings.updated");
		expect(response.json().settings).toMatchObject({
			locale: "fr",
			timezone: "UTC",
			visibility: "public",
			defaultRoleId: null,
			memberLimit: 50,
		});
		expect(response.json().settings.updatedAt).not.toBeNull();
		const again = await as(app, owner).put(settingsOf(guildId), { timezone: "Europe/Paris", visibility: "members" });
		expect(again.json().settings).toMatchObject({
			locale: "fr",
			timezone: "Europe/Paris",
			visibility: "members",
			memberLimit: 50,
		});
		expect((await as(app, owner).get(settingsOf(guildId))).json().settings).toEqual(again.json().settings);
	});

	it("stores a locale and a time zone in their canonical spelling, whatever the case sent", async () => {
		const { owner, guildId } = await createGuildWithMember(app);
		const response = await as(app, owner).put(settingsOf(guildId), { locale: "PT", timezone: "america/new_york" });
		expect(response).toAnswer(200, "settings.updated");
		expect(response.json().settings).toMatchObject({ locale: "pt", timezone: "America/New_York" });
	});

	it.each(["en", "fr", "es", "de", "pt"])("accepts the supported locale %s", async (locale) => {
		const { owner, guildId } = await createGuildWithMember(app);
		expect(await as(app, owner).put(settingsOf(guildId), { locale })).toAnswer(200, "settings.updated");
	});

	it.each(["UTC", "Europe/Paris", "Asia/Tokyo", "Asia/Kolkata"])("accepts the IANA time zone %s", async (timezone) => {
		const { owner, guildId } = await createGuildWithMember(app);
		const response = await as(app, owner).put(settingsOf(guildId), { timezone });
		expect(response).toAnswer(200, "settings.updated");
		expect(Intl.supportedValuesOf("timeZone").concat("UTC")).toContain(response.json().settings.timezone);
	});

	it.each([
		["locale", "it", "a locale that is not supported"],
		["locale", "French", "a language name"],
		["locale", "en_US", "a POSIX locale"],
		["locale", 12, "a number"],
		["timezone", "Mars/Olympus_Mons", "an unknown zone"],
		["timezone", "+02:00", "an offset"],
		["timezone", "Paris", "a city alone"],
		["timezone", "", "an empty name"],
		["visibility", "private", "an unknown visibility"],
		["visibility", true, "a boolean"],
		["defaultRoleId", "abc", "a word"],
		["defaultRoleId", 0, "zero"],
		["memberLimit", 0, "zero"],
		["memberLimit", 1001, "more than 1000"],
		["memberLimit", 2.5, "a fraction"],
		["memberLimit", "10", "a string"],
		["memberLimit", null, "null"],
	] as [string, unknown, string][])(
		"answers 400 TYPE_ERROR.body.%s to %s (%s) and changes nothing",
		async (field, value) => {
			const { owner, guildId } = await createGuildWithMember(app);
			const response = await as(app, owner).put(settingsOf(guildId), { locale: "de", [field]: value });
			expect(response).toAnswer(400, `TYPE_ERROR.body.${field}`);
			expect(response.json().issues[0].path).toEqual(["body", field]);
			expect((await as(app, owner).get(settingsOf(guildId))).json().settings.locale).toBe("en");
		},
	);

	it("accepts the member limit's bounds, 1 and 1000", async () => {
		const { owner, guildId } = await createGuildWithMember(app);
		expect(await as(app, owner).put(settingsOf(guildId), { memberLimit: 1 })).toAnswer(200, "settings.updated");
		expect(await as(app, owner).put(settingsOf(guildId), { memberLimit: 1000 })).toAnswer(200, "settings.updated");
	});

	it("sets a custom role of the guild as the default role, and null goes back to the member role", async () => {
		const { owner, guildId } = await createGuildWithMember(app);
		const recruitId = await createRole(owner, guildId, "Recruit");
		const set = await as(app, owner).put(settingsOf(guildId), { defaultRoleId: recruitId });
		expect(set.json().settings.defaultRoleId).toBe(recruitId);
		const reset = await as(app, owner).put(settingsOf(guildId), { defaultRoleId: null });
		expect(reset).toAnswer(200, "settings.updated");
		expect(reset.json().settings.defaultRoleId).toBeNull();
	});

	it("answers 404 role.notfound to a default role of another guild, or of none", async () => {
		const { owner, guildId } = await createGuildWithMember(app);
		const other = await signUp(app);
		const { memberRoleId: otherRoleId } = await createGuildWithSlug(app, other, "sram");
		expect(await as(app, owner).put(settingsOf(guildId), { defaultRoleId: otherRoleId })).toAnswer(
			404,
			"role.notfound",
		);
		expect(await as(app, owner).put(settingsOf(guildId), { defaultRoleId: 99_999 })).toAnswer(404, "role.notfound");
	});

	it("answers 400 settings.default_role_owner to the owner role as the default role", async () => {
		const { owner, guildId, ownerRoleId } = await createGuildWithMember(app);
		expect(await as(app, owner).put(settingsOf(guildId), { defaultRoleId: ownerRoleId })).toAnswer(
			400,
			"settings.default_role_owner",
		);
	});

	it("answers 403 right.missing to a member without guild.manage, 404 to an outsider, 401 without a session", async () => {
		const { member, guildId } = await createGuildWithMember(app);
		const outsider = await signUp(app);
		expect(await as(app, member).put(settingsOf(guildId), { locale: "fr" })).toAnswer(403, "right.missing");
		expect(await as(app, outsider).put(settingsOf(guildId), { locale: "fr" })).toAnswer(404, "guild.notfound");
		expect(await anonymous(app).put(settingsOf(guildId), { locale: "fr" })).toAnswer(401, "session.missing");
		expect((await as(app, member).get(settingsOf(guildId))).json().settings.locale).toBe("en");
	});

	it("lets a member whose role grants guild.manage change them", async () => {
		const { owner, guildId } = await createGuildWithMember(app);
		const managerRole = await as(app, owner).post(`/api/guilds/${guildId}/roles`, {
			name: "Officer",
			permissions: ["guild.manage"],
		});
		const manager = await signUp(app);
		await addMember(app, guildId, owner, manager, managerRole.json().role.id);
		expect(await as(app, manager).put(settingsOf(guildId), { timezone: "Europe/Berlin" })).toAnswer(
			200,
			"settings.updated",
		);
	});
});

describe("the default role of new members", () => {
	it("is the member role for an invitation that names no role, while the settings name none", async () => {
		const { owner, guildId, memberRoleId } = await createGuildWithMember(app);
		expect((await invite(owner, guildId, "new@example.test")).roleId).toBe(memberRoleId);
	});

	it("is the settings' default role for an invitation that names none, and the one named otherwise", async () => {
		const { owner, guildId, memberRoleId } = await createGuildWithMember(app);
		const recruitId = await createRole(owner, guildId, "Recruit");
		await as(app, owner).put(settingsOf(guildId), { defaultRoleId: recruitId });
		const newcomer = await signUp(app);
		const { token, roleId } = await invite(owner, guildId, newcomer.email);
		expect(roleId).toBe(recruitId);
		expect(await as(app, newcomer).post(`/api/invitations/${token}/accept`)).toAnswer(200, "invitation.accepted");
		const members = (await as(app, owner).get(`/api/guilds/${guildId}/members`)).json().members;
		expect(members.find((one: { userId: number }) => one.userId === newcomer.id).role.id).toBe(recruitId);
		expect((await invite(owner, guildId, "named@example.test", memberRoleId)).roleId).toBe(memberRoleId);
	});

	it("cannot be deleted while it is the default: 409 role.default", async () => {
		const { owner, guildId } = await createGuildWithMember(app);
		const recruitId = await createRole(owner, guildId, "Recruit");
		await as(app, owner).put(settingsOf(guildId), { defaultRoleId: recruitId });
		expect(await as(app, owner).delete(`/api/guilds/${guildId}/roles/${recruitId}`)).toAnswer(409, "role.default");
		await as(app, owner).put(settingsOf(guildId), { defaultRoleId: null });
		expect(await as(app, owner).delete(`/api/guilds/${guildId}/roles/${recruitId}`)).toAnswer(204, "role.deleted");
	});

	it("goes with its guild: deleting a guild whose settings name a default role deletes both", async () => {
		const { owner, guildId } = await createGuildWithMember(app);
		const recruitId = await createRole(owner, guildId, "Recruit");
		await as(app, owner).put(settingsOf(guildId), { defaultRoleId: recruitId });
		expect(await as(app, owner).delete(`/api/guilds/${guildId}`)).toAnswer(204, "guild.deleted");
		expect(await as(app, owner).get(settingsOf(guildId))).toAnswer(404, "guild.notfound");
	});
});

describe("the member limit", () => {
	it("refuses an acceptance past it with 409 guild.full, and the invitation stays valid until there is room", async () => {
		const { owner, guildId } = await createGuildWithMember(app);
		await as(app, owner).put(settingsOf(guildId), { memberLimit: 2 });
		const newcomer = await signUp(app);
		const { token } = await invite(owner, guildId, newcomer.email);
		expect(await as(app, newcomer).post(`/api/invitations/${token}/accept`)).toAnswer(409, "guild.full");
		expect(await as(app, newcomer).get(`/api/invitations/${token}`)).toAnswer(200, "invitation.found");
		await as(app, owner).put(settingsOf(guildId), { memberLimit: 3 });
		expect(await as(app, newcomer).post(`/api/invitations/${token}/accept`)).toAnswer(200, "invitation.accepted");
	});

	it("may be set below the member count: nobody leaves, nobody more joins", async () => {
		const { owner, member, guildId } = await createGuildWithMember(app);
		expect(await as(app, owner).put(settingsOf(guildId), { memberLimit: 1 })).toAnswer(200, "settings.updated");
		expect((await as(app, member).get(`/api/guilds/${guildId}/members`)).json().members).toHaveLength(2);
		const newcomer = await signUp(app);
		const { token } = await invite(owner, guildId, newcomer.email);
		expect(await as(app, newcomer).post(`/api/invitations/${token}/accept`)).toAnswer(409, "guild.full");
	});

	it("still answers 409 guild.already_member to a member accepting a second invitation in a full guild", async () => {
		const { owner, guildId } = await createGuildWithMember(app);
		const newcomer = await signUp(app);
		const first = await invite(owner, guildId, newcomer.email);
		const second = await invite(owner, guildId, newcomer.email);
		expect(await as(app, newcomer).post(`/api/invitations/${first.token}/accept`)).toAnswer(200, "invitation.accepted");
		await as(app, owner).put(settingsOf(guildId), { memberLimit: 3 });
		expect(await as(app, newcomer).post(`/api/invitations/${second.token}/accept`)).toAnswer(
			409,
			"guild.already_member",
		);
	});
});

describe("the visibility of the guild's host profile (GET /api/guild)", () => {
	async function membersOnlyGuild() {
		const owner = await signUp(app);
		const guild = await createGuildWithSlug(app, owner, "iop");
		await as(app, owner).put(settingsOf(guild.guildId), { visibility: "members" });
		return { owner, ...guild };
	}

	it("shows the profile to anyone on the host while the guild is public", async () => {
		const owner = await signUp(app);
		await createGuildWithSlug(app, owner, "iop");
		expect(await onHost(app, "iop.localhost").get("/api/guild")).toAnswer(200, "guild.profile");
		const outsider = await signUp(app);
		expect(await onHost(app, "iop.localhost", outsider).get("/api/guild")).toAnswer(200, "guild.profile");
	});

	it("shows a members-only guild's profile to its members", async () => {
		const { owner, guildId } = await membersOnlyGuild();
		const response = await onHost(app, "iop.localhost", owner).get("/api/guild");
		expect(response).toAnswer(200, "guild.profile");
		expect(response.json().guild.id).toBe(guildId);
	});

	it("answers 401 session.missing to an anonymous caller of a members-only guild's host", async () => {
		await membersOnlyGuild();
		expect(await onHost(app, "iop.localhost").get("/api/guild")).toAnswer(401, "session.missing");
	});

	it("answers 404 guild.notfound to a signed-in caller outside a members-only guild, another guild's members too", async () => {
		await membersOnlyGuild();
		const other = await signUp(app);
		await createGuildWithSlug(app, other, "sram");
		expect(await onHost(app, "iop.localhost", other).get("/api/guild")).toAnswer(404, "guild.notfound");
	});
});
