// Guild invitations: a single-use token mailed to an address, accepted by the account with that address.
import { and, count, eq, isNull } from "drizzle-orm";
import type { Database } from "../db/index.js";
import { guildInvitations, guildMembers, guildRoles, guilds, users } from "../db/schema/index.js";
import { publishEvent } from "../realtime/publish.js";
import { guildActor, recordAudit } from "./audit-log.js";
import { readGuildSettings } from "./guild-settings.js";
import { guildMemberEvent, type Membership } from "./guilds.js";
import type { Mailer } from "./mail.js";
import type { Clock, IdentitySettings } from "./settings.js";
import { generateToken, hashToken, looksLikeToken } from "./tokens.js";
import { normalizeEmail } from "./user-accounts.js";
import { changingUserViews, noUserViews, type UserViews } from "./user-changes.js";

export interface Invitation {
	id: number;
	guildId: number;
	guildName: string;
	email: string;
	roleId: number;
	roleName: string;
	expiresAt: Date;
	acceptedAt: Date | null;
}

export type InvitationLookup =
	| { status: "valid"; invitation: Invitation }
	| { status: "notfound" | "expired" | "used" };

/** `userViews`: this instance's user cache, told of each join once it committed (every instance hears by NOTIFY). */
export function createInvitationService(
	db: Database,
	settings: IdentitySettings,
	now: Clock,
	mailer: Mailer,
	userViews: UserViews = noUserViews,
) {
	/** The role an invitation naming none gives: the settings' default role, or the guild's `member` role. */
	async function defaultRole(guildId: number): Promise<{ id: number; kind: string }> {
		const { defaultRoleId } = await readGuildSettings(db, guildId);
		const [role] = await db
			.select({ id: guildRoles.id, kind: guildRoles.kind })
			.from(guildRoles)
			.where(
				and(
					eq(guildRoles.guildId, guildId),
					defaultRoleId === null ? eq(guildRoles.kind, "member") : eq(guildRoles.id, defaultRoleId),
				),
			);
		if (role === undefined) throw new Error(`guild ${guildId} has no default role`);
		return role;
	}

	return {
		/**
		 * Invites an address with a role of the guild (the default role of its settings when `role` is undefined); only
		 * owners may invite new owners.
		 */
		async create(
			actor: Membership,
			input: { email: string; role: { id: number; kind: string } | undefined },
		): Promise<
			| { status: "created"; token: string; invitationId: number; expiresAt: Date; roleId: number }
			| { status: "owner-only" | "already-member" }
		> {
			const role = input.role ?? (await defaultRole(actor.guildId));
			if (role.kind === "owner" && actor.roleKind !== "owner") return { status: "owner-only" };
			const email = normalizeEmail(input.email);
			const [member] = await db
				.select({ userId: guildMembers.userId })
				.from(guildMembers)
				.innerJoin(users, eq(users.id, guildMembers.userId))
				.where(and(eq(guildMembers.guildId, actor.guildId), eq(users.email, email)));
			if (member !== undefined) return { status: "already-member" };

			const token = generateToken();
			const at = now();
			const expiresAt = new Date(at.getTime() + settings.invitationTtlMs);
			const invitationId = await db.transaction(async (tx) => {
				const [row] = await tx
					.insert(guildInvitations)
					.values({
						guildId: actor.guildId,
						email,
						roleId: role.id,
						invitedBy: actor.userId,
						tokenHash: hashToken(token),
						expiresAt,
						createdAt: at,
					})
					.returning({ id: guildInvitations.id });
				if (row === undefined) throw new Error("invitation insert returned no row");
				// The address and the role, never the token (nor its hash): the log has more readers than the invitee.
				await recordAudit(tx, {
					actor: guildActor(actor.userId),
					action: "invitation.created",
					guildId: actor.guildId,
					target: { type: "invitation", id: row.id },
					after: { email, roleId: role.id, expiresAt: expiresAt.toISOString() },
				});
				const [guild] = await tx.select({ name: guilds.name }).from(guilds).where(eq(guilds.id, actor.guildId));
				await mailer.send(
					tx,
					{
						recipient: email,
						kind: "guild.invitation",
						subject: `You are invited to join ${guild?.name ?? "a guild"} on Dofus Manager`,
						body: `Accept the invitation within 7 days with this code:\n\n${token}`,
					},
					{ requestedBy: actor.userId },
				);
				return row.id;
			});
			return { status: "created", token, invitationId, expiresAt, roleId: role.id };
		},

		async lookup(token: string): Promise<InvitationLookup> {
			if (!looksLikeToken(token)) return { status: "notfound" };
			const [row] = await db
				.select({
					id: guildInvitations.id,
					guildId: guildInvitations.guildId,
					guildName: guilds.name,
					email: guildInvitations.email,
					roleId: guildInvitations.roleId,
					roleName: guildRoles.name,
					expiresAt: guildInvitations.expiresAt,
					acceptedAt: guildInvitations.acceptedAt,
				})
				.from(guildInvitations)
				.innerJoin(guilds, eq(guilds.id, guildInvitations.guildId))
				.innerJoin(guildRoles, eq(guildRoles.id, guildInvitations.roleId))
				.where(eq(guildInvitations.tokenHash, hashToken(token)));
			if (row === undefined) return { status: "notfound" };
			if (row.acceptedAt !== null) return { status: "used" };
			if (row.expiresAt.getTime() <= now().getTime()) return { status: "expired" };
			return { status: "valid", invitation: row };
		},

		/**
		 * Joins the guild with the invited role. The invitation is bound to its address: a forwarded or
		 * leaked link does not let another account in. A guild at its member limit takes no one more (the invitation stays
		 * valid, for when a place frees up or the limit is raised).
		 */
		async accept(
			invitation: Invitation,
			user: { id: number; email: string },
		): Promise<{ status: "joined" | "email-mismatch" | "used" | "full" }> {
			if (normalizeEmail(user.email) !== invitation.email) return { status: "email-mismatch" };
			return changingUserViews(db, userViews, async (tx, invalidate) => {
				// The guild row's lock: two acceptances of the last place run one after the other, the second sees it taken.
				await tx.select({ id: guilds.id }).from(guilds).where(eq(guilds.id, invitation.guildId)).for("update");
				const { memberLimit } = await readGuildSettings(tx, invitation.guildId);
				const [held] = await tx
					.select({ members: count() })
					.from(guildMembers)
					.where(eq(guildMembers.guildId, invitation.guildId));
				if ((held?.members ?? 0) >= memberLimit) {
					// A member already takes no new place: the insert below refuses them as such (409 guild.already_member).
					const [already] = await tx
						.select({ userId: guildMembers.userId })
						.from(guildMembers)
						.where(and(eq(guildMembers.guildId, invitation.guildId), eq(guildMembers.userId, user.id)));
					if (already === undefined) return { status: "full" as const };
				}
				const claimed = await tx
					.update(guildInvitations)
					.set({ acceptedAt: now(), acceptedBy: user.id })
					.where(and(eq(guildInvitations.id, invitation.id), isNull(guildInvitations.acceptedAt)))
					.returning({ id: guildInvitations.id });
				if (claimed.length === 0) return { status: "used" as const };
				// Already a member: guild_members_pkey refuses it (409 guild.already_member) and the claim rolls back.
				await tx
					.insert(guildMembers)
					.values({ guildId: invitation.guildId, userId: user.id, roleId: invitation.roleId });
				// The new member's team list now holds the guild's teams.
				await invalidate({ users: [user.id] });
				await publishEvent(
					tx,
					guildMemberEvent("guild.member_joined", {
						guildId: invitation.guildId,
						userId: user.id,
						roleId: invitation.roleId,
					}),
				);
				return { status: "joined" as const };
			});
		},
	};
}

export type InvitationService = ReturnType<typeof createInvitationService>;
