// Guilds, their members and roles: creation with the owner/member system roles, and the last-owner rule.
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
import { defaultMemberPermissions, type Permission, permissions } from "./permissions.js";

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

export function createGuildService(db: Database) {
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
		/** The creator becomes the owner; every guild starts with its undeletable `owner` and `member` roles. */
		async create(creatorId: number, name: string) {
			return db.transaction(async (tx) => {
				const [guild] = await tx.insert(guilds).values({ name: name.trim(), createdBy: creatorId }).returning();
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

		async update(guildId: number, changes: { name?: string | undefined }) {
			if (changes.name === undefined) return this.find(guildId);
			const [guild] = await db
				.update(guilds)
				.set({ name: changes.name.trim() })
				.where(eq(guilds.id, guildId))
				.returning();
			return guild;
		},

		async remove(guildId: number): Promise<void> {
			await db.delete(guilds).where(eq(guilds.id, guildId));
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
			return db.transaction(async (tx): Promise<MemberChange> => {
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
				await tx
					.delete(teamMembers)
					.where(and(inArray(teamMembers.teamId, guildTeams), inArray(teamMembers.characterId, theirCharacters)));
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
				await tx
					.update(guildMembers)
					.set({ roleId })
					.where(and(eq(guildMembers.guildId, guildId), eq(guildMembers.userId, targetUserId)));
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

		async createRole(guildId: number, input: { name: string; permissions: readonly Permission[] }) {
			const [role] = await db
				.insert(guildRoles)
				.values({ guildId, name: input.name.trim(), permissions: [...new Set(input.permissions)] })
				.returning(roleColumns);
			if (role === undefined) throw new Error("role insert returned no row");
			return role;
		},

		/** The owner role never changes (it holds every permission); the member role keeps its name. */
		async updateRole(
			role: { id: number; kind: GuildRoleKind },
			changes: { name?: string | undefined; permissions?: readonly Permission[] | undefined },
		) {
			if (role.kind === "owner") return { status: "system-role" } as const;
			if (role.kind === "member" && changes.name !== undefined) return { status: "system-role" } as const;
			const values: Partial<typeof guildRoles.$inferInsert> = {};
			if (changes.name !== undefined) values.name = changes.name.trim();
			if (changes.permissions !== undefined) values.permissions = [...new Set(changes.permissions)];
			const [updated] =
				Object.keys(values).length === 0
					? await db.select(roleColumns).from(guildRoles).where(eq(guildRoles.id, role.id))
					: await db.update(guildRoles).set(values).where(eq(guildRoles.id, role.id)).returning(roleColumns);
			if (updated === undefined) throw new Error(`role ${role.id} vanished`);
			return { status: "done", role: updated } as const;
		},

		/** System roles stay; a role still held by members is refused by guild_members_role_fk (409 role.in_use). */
		async deleteRole(role: { id: number; kind: GuildRoleKind }): Promise<RoleChange> {
			if (role.kind !== "custom") return { status: "system-role" };
			await db.delete(guildRoles).where(eq(guildRoles.id, role.id));
			return { status: "done" };
		},
	};
}

export type GuildService = ReturnType<typeof createGuildService>;
