// Guild invitations: a single-use token mailed to an address, accepted by the account with that address.
import { and, eq, isNull } from "drizzle-orm";
import type { Database } from "../db/index.js";
import { guildInvitations, guildMembers, guildRoles, guilds, users } from "../db/schema/index.js";
import { publishEvent } from "../realtime/publish.js";
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
	return {
		/** Invites an address with a role of the guild; only owners may invite new owners. */
		async create(
			actor: Membership,
			input: { email: string; role: { id: number; kind: string } },
		): Promise<
			| { status: "created"; token: string; invitationId: number; expiresAt: Date }
			| { status: "owner-only" | "already-member" }
		> {
			if (input.role.kind === "owner" && actor.roleKind !== "owner") return { status: "owner-only" };
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
						roleId: input.role.id,
						invitedBy: actor.userId,
						tokenHash: hashToken(token),
						expiresAt,
						createdAt: at,
					})
					.returning({ id: guildInvitations.id });
				if (row === undefined) throw new Error("invitation insert returned no row");
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
			return { status: "created", token, invitationId, expiresAt };
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
		 * leaked link does not let another account in.
		 */
		async accept(
			invitation: Invitation,
			user: { id: number; email: string },
		): Promise<{ status: "joined" | "email-mismatch" | "used" }> {
			if (normalizeEmail(user.email) !== invitation.email) return { status: "email-mismatch" };
			return changingUserViews(db, userViews, async (tx, invalidate) => {
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
