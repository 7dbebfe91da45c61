// Guilds, their members and roles: creation with a slug and the owner/member system roles, renames, the last-owner rule.
import { and, asc, count, eq, inArray } from "drizzle-orm";
import type { Database, Transaction } from "../db/index.js";
import {
	characters,
	type GuildRoleKind,
	gameAccounts,
	guildMembers,
	guildRoles,
	guilds,
	teamMembers,
	teams,
	users,
} from "../db/schema/index.js";
import { type EventToPublish, publishEvent, publishEvents } from "../realtime/publish.js";
import { rooms } from "../realtime/rooms.js";
import { announceTenantChange, type TenantChange } from "../tenancy/changes.js";
import { changedFields, guildActor, recordAudit } from "./audit-log.js";
import { claimSlug, defaultGuildAddressing, type GuildAddressing, retireSlug } from "./guild-slugs.js";
import { defaultMemberPermissions, type Permission, permissions } from "./permissions.js";
import { emblemIn } from "./pictures.js";
import { teamMemberRemoved } from "./teams.js";
import { changingUserViews, collectUserChanges, noUserViews, type UserChange, type UserViews } from "./user-changes.js";

/** The caller's place in a guild, as `userHasRight` drops it on the floor. */
export interface Membership {
	guildId: number;
	userId: number;
	roleId: number;
	roleName: string;
	roleKind: GuildRoleKind;
	permissions: readonly string[];
}

export type MemberChange = { status: "done" } | { status: "not-member" | "last-owner" | "owner-only" };
export type RoleChange = { status: "done" } | { status: "system-role" };

const roleColumns = {
	id: guildRoles.id,
	guildId: guildRoles.guildId,
	name: guildRoles.name,
	kind: guildRoles.kind,
	permissions: guildRoles.permissions,
};

/**
 * A member joined, left or changed role: told to the guild and to the member (who may just have lost the guild room),
 * whose visible rooms are worked out again first.
 */
export function guildMemberEvent(
	type: "guild.member_joined" | "guild.member_left" | "guild.member_role_changed",
	data: { guildId: number; userId: number; roleId?: number },
): EventToPublish {
	return {
		type,
		audience: [rooms.guild(data.guildId), rooms.user(data.userId)],
		data,
		recheck: { users: [data.userId] },
	};
}

/** A role was created, changed or deleted; `rightsChanged` when members holding it now have other rights. */
function roleUpdated(
	data: { guildId: number; roleId: number; deleted?: true },
	rightsChanged: boolean,
): EventToPublish {
	const event: EventToPublish = { type: "guild.role_updated", audience: [rooms.guild(data.guildId)], data };
	return rightsChanged ? { ...event, recheck: { rooms: [rooms.guild(data.guildId)] } } : event;
}

/** A change of the guild's fields; `slug` is the owners' (the route checks), and keeps the old one redirecting. */
export interface GuildChanges {
	name?: string | undefined;
	slug?: string | undefined;
}

/** `userViews`: this instance's user cache, told of membership changes once they committed (others hear by NOTIFY). */
export function createGuildService(
	db: Database,
	addressing: GuildAddressing = defaultGuildAddressing,
	userViews: UserViews = noUserViews,
) {
	/** Runs `work`; once it committed, this instance's tenant cache and user cache forget what it announced. */
	async function changingAddresses<T>(
		work: (
			tx: Transaction,
			announce: (change: TenantChange) => Promise<void>,
			invalidate: (change: UserChange) => Promise<void>,
		) => Promise<T>,
	) {
		const announced: TenantChange[] = [];
		const users = collectUserChanges(userViews);
		const result = await db.transaction((tx) =>
			work(
				tx,
				async (change) => {
					announced.push(change);
					await announceTenantChange(tx, change);
				},
				(change) => users.invalidate(tx, change),
			),
		);
		for (const change of announced) addressing.changed(change);
		users.committed();
		return result;
	}

	/*
	 * Membership changes lock the guild row first: two owners demoting each other at the same time run
	 * one after the other, so the second sees that only one owner is left.
	 */
	async function lockGuild(tx: Transaction, guildId: number): Promise<void> {
		await tx.select({ id: guilds.id }).from(guilds).where(eq(guilds.id, guildId)).for("update");
	}

	async function memberRole(tx: Transaction, guildId: number, userId: number) {
		const [row] = await tx
			.select({ roleId: guildMembers.roleId, kind: guildRoles.kind })
			.from(guildMembers)
			.innerJoin(guildRoles, eq(guildRoles.id, guildMembers.roleId))
			.where(and(eq(guildMembers.guildId, guildId), eq(guildMembers.userId, userId)));
		return row;
	}

	async function ownerCount(tx: Transaction, guildId: number): Promise<number> {
		const [row] = await tx
			.select({ owners: count() })
			.from(guildMembers)
			.innerJoin(guildRoles, eq(guildRoles.id, guildMembers.roleId))
			.where(and(eq(guildMembers.guildId, guildId), eq(guildRoles.kind, "owner")));
		return row?.owners ?? 0;
	}

	return {
		/**
		 * The creator becomes the owner; every guild starts with its undeletable `owner` and `member` roles. Its slug is
		 * `slug`, or (when omitted) derived from the name; a given slug already held or reserved throws SlugUnavailableError.
		 */
		async create(creatorId: number, name: string, slug?: string) {
			return changingAddresses(async (tx, announce, invalidate) => {
				const trimmed = name.trim();
				const claimed = await claimSlug(tx, addressing, slug === undefined ? { name: trimmed } : { slug });
				const [guild] = await tx
					.insert(guilds)
					.values({ name: trimmed, slug: claimed, createdBy: creatorId })
					.returning();
				if (guild === undefined) throw new Error("guild insert returned no row");
				const roles = await tx
					.insert(guildRoles)
					.values([
						{ guildId: guild.id, name: "Owner", kind: "owner", isSystem: true, permissions: [...permissions] },
						{
							guildId: guild.id,
							name: "Member",
							kind: "member",
							isSystem: true,
							permissions: [...defaultMemberPermissions],
						},
					])
					.returning(roleColumns);
				const owner = roles.find((role) => role.kind === "owner");
				if (owner === undefined) throw new Error("owner role insert returned no row");
				await tx.insert(guildMembers).values({ guildId: guild.id, userId: creatorId, roleId: owner.id });
				await recordAudit(tx, {
					actor: guildActor(creatorId),
					action: "guild.created",
					guildId: guild.id,
					target: { type: "guild", id: guild.id },
					after: { name: guild.name, slug: guild.slug },
				});
				// A host asked for before the guild existed may be remembered as unknown.
				await announce({ slugs: [claimed] });
				// The creator's cached team list does not know the guild yet: its teams to come would not reach it.
				await invalidate({ users: [creatorId] });
				await publishEvent(
					tx,
					guildMemberEvent("guild.member_joined", { guildId: guild.id, userId: creatorId, roleId: owner.id }),
				);
				return { ...guild, role: owner };
			});
		},

		async find(guildId: number) {
			const [guild] = await db.select().from(guilds).where(eq(guilds.id, guildId));
			return guild;
		},

		/** The guilds the user is a member of, with the user's role in each. */
		listForUser(userId: number) {
			return db
				.select({
					id: guilds.id,
					name: guilds.name,
					slug: guilds.slug,
					createdAt: guilds.createdAt,
					role: { id: guildRoles.id, name: guildRoles.name, kind: guildRoles.kind },
					joinedAt: guildMembers.joinedAt,
				})
				.from(guildMembers)
				.innerJoin(guilds, eq(guilds.id, guildMembers.guildId))
				.innerJoin(guildRoles, eq(guildRoles.id, guildMembers.roleId))
				.where(eq(guildMembers.userId, userId))
				.orderBy(asc(guilds.id));
		},

		/**
		 * Renames the guild, changes its slug, or both, in one transaction. A new slug already held or reserved throws
		 * SlugUnavailableError; the previous one redirects to the new host for the window and is kept from other guilds.
		 * `actorId` is audited.
		 */
		async update(guildId: number, changes: GuildChanges, actorId: number) {
			if (changes.name === undefined && changes.slug === undefined) return this.find(guildId);
			return changingAddresses(async (tx, announce) => {
				const values: Partial<typeof guilds.$inferInsert> = {};
				if (changes.name !== undefined) values.name = changes.name.trim();
				const [current] = await tx.select().from(guilds).where(eq(guilds.id, guildId)).for("update");
				if (current === undefined) return undefined;
				const { slug } = changes;
				const moving = slug !== undefined && slug !== current.slug;
				if (moving) {
					values.slug = await claimSlug(tx, addressing, { slug }, guildId);
					await retireSlug(tx, addressing, guildId, current.slug, slug);
				}
				// The current slug again, and no name: nothing to change, nothing to tell.
				if (Object.keys(values).length === 0) return current;
				const [guild] = await tx.update(guilds).set(values).where(eq(guilds.id, guildId)).returning();
				if (guild === undefined) return undefined;
				const changed = changedFields(
					{ name: current.name, slug: current.slug },
					{ name: guild.name, slug: guild.slug },
				);
				if (Object.keys(changed.after).length > 0)
					await recordAudit(tx, {
						actor: guildActor(actorId),
						action: "guild.updated",
						guildId,
						target: { type: "guild", id: guildId },
						...changed,
					});
				if (moving) await announce({ slugs: [current.slug, slug], guildIds: [guildId] });
				await publishEvent(tx, {
					type: "guild.updated",
					audience: [rooms.guild(guildId)],
					data: { ...guild, emblem: await emblemIn(tx, guildId) },
				});
				return guild;
			});
		},

		/**
		 * Its members, roles and teams go with it. `guild.deleted` also reaches each member's own room: their connections
		 * lose the guild room when they are worked out again, before the event is delivered.
		 */
		async remove(guildId: number, actorId: number): Promise<void> {
			await changingAddresses(async (tx, announce, invalidate) => {
				const members = await tx
					.select({ userId: guildMembers.userId })
					.from(guildMembers)
					.where(eq(guildMembers.guildId, guildId))
					.orderBy(asc(guildMembers.userId));
				const [deleted] = await tx
					.delete(guilds)
					.where(eq(guilds.id, guildId))
					.returning({ id: guilds.id, name: guilds.name, slug: guilds.slug });
				if (deleted === undefined) return;
				// Kept after the guild (no foreign key): the platform admins' log says who deleted what.
				await recordAudit(tx, {
					actor: guildActor(actorId),
					action: "guild.deleted",
					guildId,
					target: { type: "guild", id: guildId },
					before: { name: deleted.name, slug: deleted.slug, members: members.length },
				});
				// Its slug, previous slugs and domains (gone with it) name no guild any more, on any instance.
				await announce({ guildIds: [guildId] });
				// Its teams went with it, from every member's team list.
				await invalidate({ guilds: [guildId] });
				await publishEvent(tx, {
					type: "guild.deleted",
					audience: [rooms.guild(guildId), ...members.map((member) => rooms.user(member.userId))],
					data: { id: guildId },
					recheck: { rooms: [rooms.guild(guildId)] },
				});
			});
		},

		async membership(guildId: number, userId: number): Promise<Membership | undefined> {
			const [row] = await db
				.select({
					guildId: guildMembers.guildId,
					userId: guildMembers.userId,
					roleId: guildRoles.id,
					roleName: guildRoles.name,
					roleKind: guildRoles.kind,
					permissions: guildRoles.permissions,
				})
				.from(guildMembers)
				.innerJoin(guildRoles, eq(guildRoles.id, guildMembers.roleId))
				.where(and(eq(guildMembers.guildId, guildId), eq(guildMembers.userId, userId)));
			return row;
		},

		/** Display names only: members of a guild do not see each other's email addresses. */
		members(guildId: number) {
			return db
				.select({
					userId: users.id,
					displayName: users.displayName,
					role: { id: guildRoles.id, name: guildRoles.name, kind: guildRoles.kind },
					joinedAt: guildMembers.joinedAt,
				})
				.from(guildMembers)
				.innerJoin(users, eq(users.id, guildMembers.userId))
				.innerJoin(guildRoles, eq(guildRoles.id, guildMembers.roleId))
				.where(eq(guildMembers.guildId, guildId))
				.orderBy(asc(guildMembers.joinedAt), asc(users.id));
		},

		/**
		 * Removes a member (or lets one leave). Only owners remove owners, and the last owner stays. Their characters
		 * leave the guild's teams in the same transaction (a guild team holds members' characters only); their
		 * personal teams and other guilds' teams keep them.
		 */
		async removeMember(guildId: number, targetUserId: number, actor: Membership): Promise<MemberChange> {
			return changingUserViews(db, userViews, async (tx, invalidate): Promise<MemberChange> => {
				await lockGuild(tx, guildId);
				const target = await memberRole(tx, guildId, targetUserId);
				if (target === undefined) return { status: "not-member" };
				if (target.kind === "owner") {
					if (actor.roleKind !== "owner") return { status: "owner-only" };
					if ((await ownerCount(tx, guildId)) <= 1) return { status: "last-owner" };
				}
				await tx
					.delete(guildMembers)
					.where(and(eq(guildMembers.guildId, guildId), eq(guildMembers.userId, targetUserId)));
				const guildTeams = tx.select({ id: teams.id }).from(teams).where(eq(teams.guildId, guildId));
				const theirCharacters = tx
					.select({ id: characters.id })
					.from(characters)
					.innerJoin(gameAccounts, eq(gameAccounts.id, characters.accountId))
					.where(eq(gameAccounts.userId, targetUserId));
				const leftTeams = await tx
					.delete(teamMembers)
					.where(and(inArray(teamMembers.teamId, guildTeams), inArray(teamMembers.characterId, theirCharacters)))
					.returning({ teamId: teamMembers.teamId, characterId: teamMembers.characterId });
				await recordAudit(tx, {
					actor: guildActor(actor.userId),
					action: actor.userId === targetUserId ? "member.left" : "member.removed",
					guildId,
					target: { type: "member", id: targetUserId },
					before: { userId: targetUserId, roleId: target.roleId },
				});
				// The member no longer sees the guild's teams; the others see smaller member counts.
				await invalidate(
					leftTeams.length > 0 ? { users: [targetUserId], guilds: [guildId] } : { users: [targetUserId] },
				);
				await publishEvents(tx, [
					...leftTeams.map((row) => teamMemberRemoved(row.teamId, row.characterId)),
					guildMemberEvent("guild.member_left", { guildId, userId: targetUserId }),
				]);
				return { status: "done" };
			});
		},

		/** Gives a member another role of the guild. Granting or taking away `owner` is for owners only. */
		async setMemberRole(
			guildId: number,
			targetUserId: number,
			roleId: number,
			actor: Membership,
		): Promise<MemberChange> {
			return db.transaction(async (tx): Promise<MemberChange> => {
				await lockGuild(tx, guildId);
				const target = await memberRole(tx, guildId, targetUserId);
				if (target === undefined) return { status: "not-member" };
				const [role] = await tx
					.select(roleColumns)
					.from(guildRoles)
					.where(and(eq(guildRoles.guildId, guildId), eq(guildRoles.id, roleId)));
				if (role === undefined) return { status: "not-member" };
				const touchesOwner = role.kind === "owner" || target.kind === "owner";
				if (touchesOwner && actor.roleKind !== "owner") return { status: "owner-only" };
				if (target.kind === "owner" && role.kind !== "owner" && (await ownerCount(tx, guildId)) <= 1)
					return { status: "last-owner" };
				if (target.roleId === roleId) return { status: "done" };
				await tx
					.update(guildMembers)
					.set({ roleId })
					.where(and(eq(guildMembers.guildId, guildId), eq(guildMembers.userId, targetUserId)));
				await recordAudit(tx, {
					actor: guildActor(actor.userId),
					action: "member.role_changed",
					guildId,
					target: { type: "member", id: targetUserId },
					before: { roleId: target.roleId },
					after: { roleId },
				});
				await publishEvent(
					tx,
					guildMemberEvent("guild.member_role_changed", { guildId, userId: targetUserId, roleId }),
				);
				return { status: "done" };
			});
		},

		roles(guildId: number) {
			return db.select(roleColumns).from(guildRoles).where(eq(guildRoles.guildId, guildId)).orderBy(asc(guildRoles.id));
		},

		async findRole(guildId: number, roleId: number) {
			const [role] = await db
				.select(roleColumns)
				.from(guildRoles)
				.where(and(eq(guildRoles.guildId, guildId), eq(guildRoles.id, roleId)));
			return role;
		},

		/** Nobody holds a new role yet: no one's rights change, so no one's rooms are worked out again. */
		async createRole(guildId: number, input: { name: string; permissions: readonly Permission[] }, actorId: number) {
			return db.transaction(async (tx) => {
				const [role] = await tx
					.insert(guildRoles)
					.values({ guildId, name: input.name.trim(), permissions: [...new Set(input.permissions)] })
					.returning(roleColumns);
				if (role === undefined) throw new Error("role insert returned no row");
				await recordAudit(tx, {
					actor: guildActor(actorId),
					action: "role.created",
					guildId,
					target: { type: "role", id: role.id },
					after: { name: role.name, permissions: role.permissions },
				});
				await publishEvent(tx, roleUpdated({ guildId, roleId: role.id }, false));
				return role;
			});
		},

		/** The owner role never changes (it holds every permission); the member role keeps its name. */
		async updateRole(
			role: { id: number; kind: GuildRoleKind },
			changes: { name?: string | undefined; permissions?: readonly Permission[] | undefined },
			actorId: number,
		) {
			if (role.kind === "owner") return { status: "system-role" } as const;
			if (role.kind === "member" && changes.name !== undefined) return { status: "system-role" } as const;
			const values: Partial<typeof guildRoles.$inferInsert> = {};
			if (changes.name !== undefined) values.name = changes.name.trim();
			if (changes.permissions !== undefined) values.permissions = [...new Set(changes.permissions)];
			if (Object.keys(values).length === 0) {
				const [current] = await db.select(roleColumns).from(guildRoles).where(eq(guildRoles.id, role.id));
				if (current === undefined) throw new Error(`role ${role.id} vanished`);
				return { status: "done", role: current } as const;
			}
			return db.transaction(async (tx) => {
				const [current] = await tx.select(roleColumns).from(guildRoles).where(eq(guildRoles.id, role.id)).for("update");
				const [updated] = await tx
					.update(guildRoles)
					.set(values)
					.where(eq(guildRoles.id, role.id))
					.returning(roleColumns);
				if (current === undefined || updated === undefined) throw new Error(`role ${role.id} vanished`);
				const changed = changedFields(
					{ name: current.name, permissions: current.permissions },
					{ name: updated.name, permissions: updated.permissions },
				);
				if (Object.keys(changed.after).length > 0)
					await recordAudit(tx, {
						actor: guildActor(actorId),
						action: "role.updated",
						guildId: updated.guildId,
						target: { type: "role", id: updated.id },
						...changed,
					});
				// New permissions change what its holders may see (guild:<g>#<right> keys): their rooms are worked out again.
				await publishEvent(
					tx,
					roleUpdated({ guildId: updated.guildId, roleId: updated.id }, values.permissions !== undefined),
				);
				return { status: "done", role: updated } as const;
			});
		},

		/**
		 * System roles stay; a role still held by members is refused by guild_members_role_fk (409 role.in_use), so
		 * deleting one changes nobody's rights. The settings' default role is refused too (guild_settings_default_role_fk,
		 * 409 role.default).
		 */
		async deleteRole(role: { id: number; guildId: number; kind: GuildRoleKind }, actorId: number): Promise<RoleChange> {
			if (role.kind !== "custom") return { status: "system-role" };
			return db.transaction(async (tx) => {
				const [deleted] = await tx
					.delete(guildRoles)
					.where(eq(guildRoles.id, role.id))
					.returning({ id: guildRoles.id, name: guildRoles.name, permissions: guildRoles.permissions });
				if (deleted !== undefined) {
					await recordAudit(tx, {
						actor: guildActor(actorId),
						action: "role.deleted",
						guildId: role.guildId,
						target: { type: "role", id: role.id },
						before: { name: deleted.name, permissions: deleted.permissions },
					});
					await publishEvent(tx, roleUpdated({ guildId: role.guildId, roleId: role.id, deleted: true }, false));
				}
				return { status: "done" } as const;
			});
		},
	};
}

export type GuildService = ReturnType<typeof createGuildService>;
