// The audit log: a row for each guild-admin and platform-admin action (who, what, when, before/after), written in the
// action's transaction and never holding a secret; read by the guild's owners (GET /api/guilds/{guildId}/audit) and by
// platform admins (GET /api/admin/audit), newest first, page by page.
import { sql } from "drizzle-orm";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { App } from "../../src/core/index.js";
import type { Database } from "../../src/db/index.js";
import { recordAudit } from "../../src/services/audit-log.js";
import { auditRows, auditRowsOf } from "../helpers/audit.js";
import { anonymous, as } from "../helpers/calls.js";
import { getTestDatabase, resetTestDatabase } from "../helpers/database.js";
import { addMember, buildIdentityApp, signUp, type TestUser } from "../helpers/identity.js";
import { createGuildWithSlug } from "../helpers/tenancy.js";

let db: Database;
let app: App;

beforeAll(async () => {
	db = await getTestDatabase();
});

beforeEach(async () => {
	await resetTestDatabase(db);
	({ app } = buildIdentityApp(db, { config: { ADMIN_EMAILS: ["admin@example.test"] } }));
});

type Caller = TestUser & { headers: { authorization: string } };

/** The guild `iop`, its owner and a plain member. */
async function iopGuild() {
	const owner = await signUp(app);
	const guild = await createGuildWithSlug(app, owner, "iop", "Les Iops");
	const member = await signUp(app);
	await addMember(app, guild.guildId, owner, member, guild.memberRoleId);
	return { owner, member, ...guild };
}

/** The one row of `action` (there must be exactly one). */
async function onlyRow(action: string) {
	const rows = await auditRowsOf(db, action);
	expect(rows, action).toHaveLength(1);
	return rows[0] as NonNullable<(typeof rows)[number]>;
}

const byGuild = (actor: Caller, guildId: number) => ({ actorId: actor.id, scope: "guild", guildId });

describe("the rows written by guild admins' actions", () => {
	it("records the creation of a guild by its owner", async () => {
		const owner = await signUp(app);
		const { guildId } = await createGuildWithSlug(app, owner, "iop", "Les Iops");
		expect(await onlyRow("guild.created")).toMatchObject({
			...byGuild(owner, guildId),
			targetType: "guild",
			targetId: String(guildId),
			before: null,
			after: { name: "Les Iops", slug: "iop" },
		});
	});

	it("records a rename and a slug change with the fields before and after", async () => {
		const { owner, guildId } = await iopGuild();
		await as(app, owner).patch(`/api/guilds/${guildId}`, { name: "Les Iops Dorés" });
		await as(app, owner).patch(`/api/guilds/${guildId}`, { slug: "iop-dore" });
		const [renamed, moved] = await auditRowsOf(db, "guild.updated");
		expect(renamed).toMatchObject({
			...byGuild(owner, guildId),
			before: { name: "Les Iops" },
			after: { name: "Les Iops Dorés" },
		});
		expect(moved).toMatchObject({ before: { slug: "iop" }, after: { slug: "iop-dore" } });
	});

	it("records the deletion of a guild, and keeps the row once the guild is gone", async () => {
		const { owner, guildId } = await iopGuild();
		expect(await as(app, owner).delete(`/api/guilds/${guildId}`)).toAnswer(204, "guild.deleted");
		expect(await onlyRow("guild.deleted")).toMatchObject({
			...byGuild(owner, guildId),
			before: { name: "Les Iops", slug: "iop", members: 2 },
			after: null,
		});
		expect(await auditRowsOf(db, "guild.created")).toHaveLength(1);
	});

	it("records a role's creation, change and deletion", async () => {
		const { owner, guildId } = await iopGuild();
		const created = await as(app, owner).post(`/api/guilds/${guildId}/roles`, {
			name: "Officer",
			permissions: ["team.manage"],
		});
		const roleId = created.json().role.id as number;
		await as(app, owner).patch(`/api/guilds/${guildId}/roles/${roleId}`, {
			permissions: ["team.manage", "member.invite"],
		});
		await as(app, owner).delete(`/api/guilds/${guildId}/roles/${roleId}`);
		const target = { targetType: "role", targetId: String(roleId) };
		expect(await onlyRow("role.created")).toMatchObject({
			...byGuild(owner, guildId),
			...target,
			after: { name: "Officer", permissions: ["team.manage"] },
		});
		expect(await onlyRow("role.updated")).toMatchObject({
			...target,
			before: { permissions: ["team.manage"] },
			after: { permissions: ["team.manage", "member.invite"] },
		});
		expect(await onlyRow("role.deleted")).toMatchObject({
			...target,
			before: { name: "Officer", permissions: ["team.manage", "member.invite"] },
			after: null,
		});
	});

	it("records a member's role change, a removal, and a member leaving", async () => {
		const { owner, member, guildId, memberRoleId } = await iopGuild();
		const officer = (
			await as(app, owner).post(`/api/guilds/${guildId}/roles`, { name: "Officer", permissions: [] })
		).json().role.id as number;
		await as(app, owner).put(`/api/guilds/${guildId}/members/${member.id}/role`, { roleId: officer });
		await as(app, owner).delete(`/api/guilds/${guildId}/members/${member.id}`);
		const leaver = await signUp(app);
		await addMember(app, guildId, owner, leaver, memberRoleId);
		await as(app, leaver).delete(`/api/guilds/${guildId}/members/${leaver.id}`);
		expect(await onlyRow("member.role_changed")).toMatchObject({
			...byGuild(owner, guildId),
			targetType: "member",
			targetId: String(member.id),
			before: { roleId: memberRoleId },
			after: { roleId: officer },
		});
		expect(await onlyRow("member.removed")).toMatchObject({
			...byGuild(owner, guildId),
			targetId: String(member.id),
			before: { userId: member.id, roleId: officer },
		});
		expect(await onlyRow("member.left")).toMatchObject({
			...byGuild(leaver, guildId),
			targetId: String(leaver.id),
			before: { userId: leaver.id, roleId: memberRoleId },
		});
	});

	it("records an invitation with its address and role, never its token", async () => {
		const { owner, guildId, memberRoleId } = await iopGuild();
		const invited = await as(app, owner).post(`/api/guilds/${guildId}/invitations`, { email: "Later@Example.test" });
		const { invitationId, token } = invited.json();
		const rows = await auditRowsOf(db, "invitation.created");
		// The fixture's invitation of the member, then this one.
		expect(rows).toHaveLength(2);
		expect(rows[1]).toMatchObject({
			...byGuild(owner, guildId),
			targetType: "invitation",
			targetId: String(invitationId),
			after: { email: "later@example.test", roleId: memberRoleId, expiresAt: expect.any(String) },
		});
		const stored = JSON.stringify(await auditRows(db));
		expect(stored).not.toContain(token);
		expect(stored).not.toMatch(/token|hash/i);
	});

	it("records a settings change with only the fields that changed", async () => {
		const { owner, guildId } = await iopGuild();
		await as(app, owner).put(`/api/guilds/${guildId}/settings`, { locale: "fr", timezone: "UTC", memberLimit: 40 });
		expect(await onlyRow("settings.updated")).toMatchObject({
			...byGuild(owner, guildId),
			targetType: "settings",
			before: { locale: "en", memberLimit: 1000 },
			after: { locale: "fr", memberLimit: 40 },
		});
	});

	it("records a custom domain added and removed by the guild, activated and deactivated by a platform admin", async () => {
		const { owner, guildId } = await iopGuild();
		const admin = await signUp(app, { email: "admin@example.test" });
		const domainId = (await as(app, owner).post(`/api/guilds/${guildId}/domains`, { domain: "Guilde-Iop.fr" })).json()
			.domain.id as number;
		await as(app, admin).put(`/api/admin/domains/${domainId}/activation`);
		await as(app, admin).delete(`/api/admin/domains/${domainId}/activation`);
		await as(app, owner).delete(`/api/guilds/${guildId}/domains/${domainId}`);
		const target = { targetType: "domain", targetId: String(domainId) };
		expect(await onlyRow("domain.added")).toMatchObject({
			...byGuild(owner, guildId),
			...target,
			after: { domain: "guilde-iop.fr" },
		});
		expect(await onlyRow("domain.activated")).toMatchObject({
			actorId: admin.id,
			scope: "platform",
			guildId,
			...target,
			before: { active: false },
			after: { active: true },
		});
		expect(await onlyRow("domain.deactivated")).toMatchObject({ scope: "platform", after: { active: false } });
		expect(await onlyRow("domain.removed")).toMatchObject({
			...byGuild(owner, guildId),
			before: { domain: "guilde-iop.fr", active: false },
		});
	});

	it("writes nothing for a change that changed nothing", async () => {
		const { owner, guildId } = await iopGuild();
		await as(app, owner).patch(`/api/guilds/${guildId}`, { name: "Les Iops", slug: "iop" });
		await as(app, owner).put(`/api/guilds/${guildId}/settings`, { locale: "en" });
		await as(app, owner).put(`/api/guilds/${guildId}/members/${owner.id}/role`, {
			roleId: (await as(app, owner).get(`/api/guilds/${guildId}`)).json().myRole.id,
		});
		expect(await auditRowsOf(db, "guild.updated")).toEqual([]);
		expect(await auditRowsOf(db, "settings.updated")).toEqual([]);
		expect(await auditRowsOf(db, "member.role_changed")).toEqual([]);
	});

	it("writes nothing for a refused change", async () => {
		const { owner, guildId } = await iopGuild();
		await createGuildWithSlug(app, owner, "sram");
		expect(await as(app, owner).patch(`/api/guilds/${guildId}`, { name: "Renamed", slug: "sram" })).toAnswer(
			409,
			"guild.slug_taken",
		);
		expect(await auditRowsOf(db, "guild.updated")).toEqual([]);
	});

	it("shares the action's transaction: when the row cannot be written, the action is undone", async () => {
		const { owner, guildId } = await iopGuild();
		// A fault injected in the database itself: the log refuses role rows.
		await db.execute(
			sql.raw(`create function refuse_role_audit() returns trigger language plpgsql as $$
			begin if new.action like 'role.%' then raise exception 'audit log unavailable'; end if; return new; end $$`),
		);
		await db.execute(
			sql.raw(
				"create trigger refuse_role_audit before insert on audit_log for each row execute function refuse_role_audit()",
			),
		);
		try {
			const response = await as(app, owner).post(`/api/guilds/${guildId}/roles`, { name: "Officer" });
			expect(response.statusCode).toBe(500);
		} finally {
			await db.execute(sql.raw("drop trigger refuse_role_audit on audit_log"));
			await db.execute(sql.raw("drop function refuse_role_audit()"));
		}
		const roles = (await as(app, owner).get(`/api/guilds/${guildId}/roles`)).json().roles as { name: string }[];
		expect(roles.map((role) => role.name)).toEqual(["Owner", "Member"]);
	});
});

describe("the rows written by platform admins' feature flag changes", () => {
	it("records a flag created, changed, overridden for a guild and the override removed", async () => {
		const { guildId } = await iopGuild();
		const admin = await signUp(app, { email: "admin@example.test" });
		await as(app, admin).put("/api/admin/feature-flags/beta.planner", { enabled: false, description: "Planner" });
		await as(app, admin).put("/api/admin/feature-flags/beta.planner", { enabled: true });
		await as(app, admin).put(`/api/admin/feature-flags/beta.planner/guilds/${guildId}`, { enabled: false });
		await as(app, admin).delete(`/api/admin/feature-flags/beta.planner/guilds/${guildId}`);
		const platform = { actorId: admin.id, scope: "platform", targetType: "feature_flag", targetId: "beta.planner" };
		expect(await onlyRow("feature_flag.created")).toMatchObject({
			...platform,
			guildId: null,
			before: null,
			after: { description: "Planner", enabled: false },
		});
		expect(await onlyRow("feature_flag.updated")).toMatchObject({
			...platform,
			guildId: null,
			before: { enabled: false },
			after: { enabled: true },
		});
		expect(await onlyRow("feature_flag.override_set")).toMatchObject({
			...platform,
			guildId,
			before: null,
			after: { enabled: false },
		});
		expect(await onlyRow("feature_flag.override_removed")).toMatchObject({
			...platform,
			guildId,
			before: { enabled: false },
			after: null,
		});
	});

	it("records a flag of the code set for the first time with the code's default as before", async () => {
		const admin = await signUp(app, { email: "admin@example.test" });
		await as(app, admin).put("/api/admin/feature-flags/guild.custom_domains", { enabled: false });
		expect((await onlyRow("feature_flag.created")).before).toMatchObject({ enabled: true });
	});
});

describe("recordAudit", () => {
	it("drops every field named like a secret, at any depth", async () => {
		const owner = await signUp(app);
		await recordAudit(db, {
			actor: { userId: owner.id, scope: "guild" },
			action: "settings.updated",
			guildId: null,
			before: { password: "hunter2", nested: { accessToken: "t", kept: 1, list: [{ secretKey: "k", name: "a" }] } },
			after: { tokenHash: "h", totpSecret: "s", locale: "fr" },
		});
		expect(await onlyRow("settings.updated")).toMatchObject({
			before: { nested: { kept: 1, list: [{ name: "a" }] } },
			after: { locale: "fr" },
		});
		expect(JSON.stringify(await auditRows(db))).not.toMatch(/hunter2|password|accessToken|secretKey|tokenHash|totp/);
	});
});

describe("GET /api/guilds/{guildId}/audit", () => {
	const auditOf = (guildId: number, query = "") => `/api/guilds/${guildId}/audit${query}`;

	it("answers the guild's rows to its owner, newest first, without another guild's", async () => {
		const { owner, guildId } = await iopGuild();
		await createGuildWithSlug(app, owner, "sram");
		await as(app, owner).put(`/api/guilds/${guildId}/settings`, { locale: "de" });
		const response = await as(app, owner).get(auditOf(guildId));
		expect(response).toAnswer(200, "audit.page");
		const { entries, next } = response.json();
		expect(entries.map((entry: { action: string }) => entry.action)).toEqual([
			"settings.updated",
			"invitation.created",
			"guild.created",
		]);
		expect(entries[0]).toMatchObject({
			scope: "guild",
			guildId,
			actor: { userId: owner.id, displayName: owner.displayName },
			target: { type: "settings", id: String(guildId) },
			before: { locale: "en" },
			after: { locale: "de" },
		});
		expect(next).toBeNull();
	});

	it("pages with `next`: each page older than the one before, the last one's `next` null", async () => {
		const { owner, guildId } = await iopGuild();
		for (const locale of ["fr", "de", "es", "pt"])
			await as(app, owner).put(`/api/guilds/${guildId}/settings`, { locale });
		const first = (await as(app, owner).get(auditOf(guildId, "?limit=4"))).json();
		expect(first.entries).toHaveLength(4);
		expect(first.next).toBe(first.entries[3].id);
		const second = (await as(app, owner).get(auditOf(guildId, `?limit=4&before=${first.next}`))).json();
		expect(second.entries.map((entry: { action: string }) => entry.action)).toEqual([
			"invitation.created",
			"guild.created",
		]);
		expect(second.next).toBeNull();
		const ids = [...first.entries, ...second.entries].map((entry: { id: number }) => entry.id);
		expect(ids).toEqual([...ids].sort((a, b) => b - a));
	});

	it("filters by action, one or several", async () => {
		const { owner, guildId } = await iopGuild();
		await as(app, owner).put(`/api/guilds/${guildId}/settings`, { locale: "de" });
		const one = (await as(app, owner).get(auditOf(guildId, "?action=settings.updated"))).json().entries;
		expect(one.map((entry: { action: string }) => entry.action)).toEqual(["settings.updated"]);
		const several = (await as(app, owner).get(auditOf(guildId, "?action=guild.created,settings.updated"))).json()
			.entries;
		expect(several.map((entry: { action: string }) => entry.action)).toEqual(["settings.updated", "guild.created"]);
	});

	it("answers 400 TYPE_ERROR.query.action to an action the log does not know", async () => {
		const { owner, guildId } = await iopGuild();
		expect(await as(app, owner).get(auditOf(guildId, "?action=guild.hacked"))).toAnswer(400, "TYPE_ERROR.query.action");
	});

	it("shows that a platform admin acted, not which one", async () => {
		const { owner, guildId } = await iopGuild();
		const admin = await signUp(app, { email: "admin@example.test" });
		await as(app, admin).put(`/api/admin/feature-flags/guild.custom_domains/guilds/${guildId}`, { enabled: false });
		const [latest] = (await as(app, owner).get(auditOf(guildId))).json().entries;
		expect(latest).toMatchObject({ action: "feature_flag.override_set", scope: "platform", actor: null });
	});

	it("answers 403 owner.required to a manager who is not an owner, 404 to an outsider, 401 without a session", async () => {
		const { owner, guildId } = await iopGuild();
		const officerRole = (
			await as(app, owner).post(`/api/guilds/${guildId}/roles`, { name: "Officer", permissions: ["guild.manage"] })
		).json().role.id as number;
		const officer = await signUp(app);
		await addMember(app, guildId, owner, officer, officerRole);
		const outsider = await signUp(app);
		expect(await as(app, officer).get(auditOf(guildId))).toAnswer(403, "owner.required");
		expect(await as(app, outsider).get(auditOf(guildId))).toAnswer(404, "guild.notfound");
		expect(await anonymous(app).get(auditOf(guildId))).toAnswer(401, "session.missing");
	});
});

describe("GET /api/admin/audit", () => {
	it("answers every row to a platform admin, a deleted guild's and the admins' names included", async () => {
		const { owner, guildId } = await iopGuild();
		const admin = await signUp(app, { email: "admin@example.test" });
		await as(app, admin).put("/api/admin/feature-flags/beta.planner", { enabled: true });
		await as(app, owner).delete(`/api/guilds/${guildId}`);
		const response = await as(app, admin).get("/api/admin/audit");
		expect(response).toAnswer(200, "audit.page");
		const entries = response.json().entries;
		expect(entries.map((entry: { action: string }) => entry.action)).toEqual([
			"guild.deleted",
			"feature_flag.created",
			"invitation.created",
			"guild.created",
		]);
		expect(entries[1]).toMatchObject({ scope: "platform", guildId: null, actor: { userId: admin.id } });
	});

	it("filters by guild, by actor and by action", async () => {
		const { owner, member, guildId } = await iopGuild();
		const other = await createGuildWithSlug(app, member, "sram");
		const admin = await signUp(app, { email: "admin@example.test" });
		const actions = async (query: string) =>
			(await as(app, admin).get(`/api/admin/audit${query}`))
				.json()
				.entries.map((entry: { action: string }) => entry.action);
		expect(await actions(`?guildId=${other.guildId}`)).toEqual(["guild.created"]);
		expect(await actions(`?actorId=${owner.id}`)).toEqual(["invitation.created", "guild.created"]);
		expect(await actions(`?guildId=${guildId}&action=invitation.created`)).toEqual(["invitation.created"]);
	});

	it("answers a user who is not an admin as an unknown path", async () => {
		const { owner } = await iopGuild();
		expect(await as(app, owner).get("/api/admin/audit")).toAnswer(404, "NOT_FOUND");
	});
});
