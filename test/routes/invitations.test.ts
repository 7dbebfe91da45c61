// Invitations: created by members with member.invite, mailed through the outbox, previewed and accepted by the invitee.
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import type { App } from "../../src/core/index.js";
import type { Database } from "../../src/db/index.js";
import { guildInvitations } from "../../src/db/schema/index.js";
import { hashToken } from "../../src/services/tokens.js";
import { anonymous, as } from "../helpers/calls.js";
import {
	createGuildAs,
	freshAppPerTest,
	lastMail,
	loginAs,
	signUp,
	type TestClock,
	tokenIn,
} from "../helpers/identity.js";

let db: Database;
let app: App;
let clock: TestClock;

freshAppPerTest((fresh) => ({ db, app, clock } = fresh));

async function invitation(roleKind: "member" | "owner" = "member") {
	const owner = await signUp(app);
	const invitee = await signUp(app);
	const guild = await createGuildAs(app, owner);
	const roleId = roleKind === "owner" ? guild.ownerRoleId : guild.memberRoleId;
	const response = await as(app, owner).post(`/api/guilds/${guild.guildId}/invitations`, {
		email: invitee.email,
		roleId,
	});
	return { owner, invitee, ...guild, response, token: response.json().token as string };
}

const accept = (token: string, headers: Record<string, string>) =>
	app.inject({ method: "POST", url: `/api/invitations/${token}/accept`, headers });

describe("POST /api/guilds/{guildId}/invitations", () => {
	it("answers 201 with a token, mails it, and stores only its hash", async () => {
		const { invitee, response, token } = await invitation();
		expect(response).toAnswer(201, "invitation.created");
		expect(tokenIn((await lastMail(db, invitee.email, "guild.invitation"))?.body)).toBe(token);
		const [row] = await db.select().from(guildInvitations);
		expect(row?.tokenHash).toBe(hashToken(token));
	});

	it("queues the mail's delivery as a job the inviter sees in GET /api/jobs", async () => {
		const { owner, invitee } = await invitation();
		const listed = await as(app, owner).get("/api/jobs");
		expect(listed).toAnswer(200);
		expect(listed.json().jobs).toEqual([expect.objectContaining({ name: "mail.deliver", state: "queued" })]);
		expect((await as(app, invitee).get("/api/jobs")).json().jobs).toEqual([]);
	});

	it("answers 403 right.missing to a member without member.invite", async () => {
		const { guildId, memberRoleId, invitee, token } = await invitation();
		await accept(token, invitee.headers);
		const response = await as(app, invitee).post(`/api/guilds/${guildId}/invitations`, {
			email: "friend@example.test",
			roleId: memberRoleId,
		});
		expect(response).toAnswer(403, "right.missing");
	});

	it("answers 404 role.notfound for a role of another guild, and 409 for an existing member", async () => {
		const { owner, guildId, memberRoleId, invitee, token } = await invitation();
		const other = await createGuildAs(app, owner);
		const foreignRole = await as(app, owner).post(`/api/guilds/${guildId}/invitations`, {
			email: "x@example.test",
			roleId: other.memberRoleId,
		});
		expect(foreignRole).toAnswer(404, "role.notfound");
		await accept(token, invitee.headers);
		const again = await as(app, owner).post(`/api/guilds/${guildId}/invitations`, {
			email: invitee.email,
			roleId: memberRoleId,
		});
		expect(again).toAnswer(409, "guild.already_member");
	});

	it("only lets owners invite with the owner role (403 owner.required)", async () => {
		const { owner, guildId, invitee, token } = await invitation();
		const inviters = await as(app, owner).post(`/api/guilds/${guildId}/roles`, {
			name: "Recruteur",
			permissions: ["member.invite"],
		});
		await accept(token, invitee.headers);
		await as(app, owner).put(`/api/guilds/${guildId}/members/${invitee.id}/role`, { roleId: inviters.json().role.id });
		const ownerRoleId = (await as(app, owner).get(`/api/guilds/${guildId}/roles`)).json().roles[0].id;
		const response = await as(app, invitee).post(`/api/guilds/${guildId}/invitations`, {
			email: "new@example.test",
			roleId: ownerRoleId,
		});
		expect(response).toAnswer(403, "owner.required");
	});
});

describe("GET /api/invitations/{token}", () => {
	it("shows the guild and the role to a signed-in user", async () => {
		const { invitee, token, guildId } = await invitation();
		const response = await as(app, invitee).get(`/api/invitations/${token}`);
		expect(response).toAnswer(200, "invitation.found");
		expect(response.json()).toMatchObject({ guild: { id: guildId }, role: { name: "Member" }, email: invitee.email });
	});

	it("answers 404 invitation.notfound for an unknown token", async () => {
		const user = await signUp(app);
		expect((await as(app, user).get(`/api/invitations/${"C".repeat(43)}`)).info).toBe("invitation.notfound");
	});
});

describe("POST /api/invitations/{token}/accept", () => {
	it("makes the invitee a member with the invited role", async () => {
		const { invitee, token, guildId } = await invitation();
		const response = await accept(token, invitee.headers);
		expect(response).toAnswer(200, "invitation.accepted");
		const guild = await as(app, invitee).get(`/api/guilds/${guildId}`);
		expect(guild.json().myRole.kind).toBe("member");
	});

	it("answers 410 invitation.used the second time", async () => {
		const { invitee, token } = await invitation();
		await accept(token, invitee.headers);
		const again = await accept(token, invitee.headers);
		expect(again).toAnswer(410, "invitation.used");
	});

	it("answers 410 invitation.expired after 7 days", async () => {
		const { invitee, token } = await invitation();
		clock.advance(7 * 24 * 3600_000 + 1);
		const fresh = await loginAs(app, invitee);
		const response = await accept(token, fresh.headers);
		expect(response).toAnswer(410, "invitation.expired");
	});

	it("answers 403 invitation.email_mismatch to another account, and the invitation stays usable", async () => {
		const { invitee, token } = await invitation();
		const other = await signUp(app);
		const response = await accept(token, other.headers);
		expect(response).toAnswer(403, "invitation.email_mismatch");
		expect((await accept(token, invitee.headers)).statusCode).toBe(200);
	});

	it("answers 401 without a session", async () => {
		const { token } = await invitation();
		expect((await anonymous(app).post(`/api/invitations/${token}/accept`)).info).toBe("session.missing");
	});

	it("answers 409 guild.already_member when the invitee already joined", async () => {
		const { invitee, token, guildId } = await invitation();
		await accept(token, invitee.headers);
		// As if a second invitation had been sent before the first was accepted.
		await db.update(guildInvitations).set({ acceptedAt: null }).where(eq(guildInvitations.guildId, guildId));
		const response = await accept(token, invitee.headers);
		expect(response).toAnswer(409, "guild.already_member");
	});
});
