// The refusals every guild route shares: 404 guild.notfound to whoever is not a member, 403 right.missing
// to a member whose role lacks the right; and the role routes' own refusals.
import { describe, expect, it } from "vitest";
import type { App } from "../../src/core/index.js";
import { as } from "../helpers/calls.js";
import { createGuildAs, createGuildWithMember, freshAppPerTest, signUp } from "../helpers/identity.js";

let app: App;

freshAppPerTest((fresh) => ({ app } = fresh));

describe("guild routes", () => {
	it("answer 404 guild.notfound to a user who is not a member, exactly as for a guild that does not exist", async () => {
		const { owner, guildId, memberRoleId } = await createGuildWithMember(app);
		const outsider = await signUp(app);
		const calls = (id: number) =>
			[
				{
					method: "POST",
					url: `/api/guilds/${id}/invitations`,
					body: { email: "new@example.test", roleId: memberRoleId },
				},
				{ method: "DELETE", url: `/api/guilds/${id}/members/${owner.id}` },
				{ method: "PUT", url: `/api/guilds/${id}/members/${owner.id}/role`, body: { roleId: memberRoleId } },
				{ method: "POST", url: `/api/guilds/${id}/roles`, body: { name: "Scouts" } },
				{ method: "PATCH", url: `/api/guilds/${id}/roles/${memberRoleId}`, body: { name: "Scouts" } },
				{ method: "DELETE", url: `/api/guilds/${id}/roles/${memberRoleId}` },
			] as const;
		for (const id of [guildId, guildId + 1000]) {
			for (const call of calls(id)) {
				const response = await app.inject({ ...call, headers: outsider.headers });
				expect(response, `${call.method} ${call.url}`).toAnswer(404, "guild.notfound");
			}
		}
		// Nothing changed: the owner still sees the guild's two roles.
		const roles = await as(app, owner).get(`/api/guilds/${guildId}/roles`);
		expect(roles.json().roles).toHaveLength(2);
	});

	it("answer 403 right.missing on role changes to a member without role.manage, and change nothing", async () => {
		const { owner, member, guildId, memberRoleId } = await createGuildWithMember(app);
		const renamed = await as(app, member).patch(`/api/guilds/${guildId}/roles/${memberRoleId}`, { name: "Everyone" });
		expect(renamed).toAnswer(403, "right.missing");
		const created = await as(app, owner).post(`/api/guilds/${guildId}/roles`, { name: "Scouts" });
		expect(created.statusCode).toBe(201);
		const deleted = await as(app, member).delete(`/api/guilds/${guildId}/roles/${created.json().role.id}`);
		expect(deleted).toAnswer(403, "right.missing");
		// The member role kept its name, and the Scouts role is still there.
		const roles = await as(app, owner).get(`/api/guilds/${guildId}/roles`);
		const names = roles.json().roles.map((role: { name: string }) => role.name);
		expect(names).toContain("Scouts");
		expect(names).not.toContain("Everyone");
	});
});

describe("PATCH /api/guilds/{guildId}/roles/{roleId}", () => {
	it("answers 404 role.notfound for a role of another guild, and 409 role.name_taken for a name in use", async () => {
		const { owner, guildId } = await createGuildWithMember(app);
		const other = await createGuildAs(app, owner);
		const foreign = await as(app, owner).patch(`/api/guilds/${guildId}/roles/${other.memberRoleId}`, {
			name: "Stolen",
		});
		expect(foreign).toAnswer(404, "role.notfound");
		const scouts = await as(app, owner).post(`/api/guilds/${guildId}/roles`, { name: "Scouts" });
		const guards = await as(app, owner).post(`/api/guilds/${guildId}/roles`, { name: "Guards" });
		expect([scouts.statusCode, guards.statusCode]).toEqual([201, 201]);
		const taken = await as(app, owner).patch(`/api/guilds/${guildId}/roles/${guards.json().role.id}`, {
			name: "Scouts",
		});
		expect(taken).toAnswer(409, "role.name_taken");
		const roles = await as(app, owner).get(`/api/guilds/${guildId}/roles`);
		expect(roles.json().roles.map((role: { name: string }) => role.name)).toContain("Guards");
	});
});
