// Teams (a user's or a guild's): who may read or manage one, listing, members, and the 8-character / one-server rules.
import { and, asc, count, eq, inArray, or, sql } from "drizzle-orm";
import type { Database } from "../db/index.js";
import { hotQueries } from "../db/queries.js";
import { characters, gameAccounts, guildMembers, teamMembers, teams } from "../db/schema/index.js";
import type { Recheck } from "../realtime/envelope.js";
import { type EventToPublish, publishEvent } from "../realtime/publish.js";
import { rooms } from "../realtime/rooms.js";
import type { GuildService } from "./guilds.js";
import { roleGrants } from "./permissions.js";
import { changingUserViews, noUserViews, type UserChange, type UserViews } from "./user-changes.js";

export const maxTeamSize = 8;

export type Team = typeof teams.$inferSelect;

/** What the caller may do with a team: a guild team is read by its guild's members and managed with `team.manage`. */
export type TeamAccess = "manage" | "read" | "none";

export type MemberAddition = { status: "added" | "present" } | { status: "full" | "server-mismatch" | "missing" };
export type TeamChange = { status: "updated"; team: Team } | { status: "server-mismatch" } | { status: "missing" };

// Spelled out: in a single-table select Drizzle writes columns unqualified, which would bind "id" to team_members.
const memberCount = sql<number>`(select count(*) from team_members where team_members.team_id = teams.id)`.mapWith(
	Number,
);

/**
 * Where a team's events go besides its own room (its owner's room: the way in for connections that just gained or
 * lost the team room), and whose access its creation or deletion changes (its owner, or every member of its guild).
 */
function teamOwner(team: Pick<Team, "ownerUserId" | "guildId">): { room: string; readers: Recheck } {
	if (team.guildId !== null)
		return { room: rooms.guild(team.guildId), readers: { rooms: [rooms.guild(team.guildId)] } };
	if (team.ownerUserId !== null) return { room: rooms.user(team.ownerUserId), readers: { users: [team.ownerUserId] } };
	throw new Error("a team belongs to a user or to a guild");
}

function teamAudience(team: Pick<Team, "id" | "ownerUserId" | "guildId">): string[] {
	return [rooms.team(team.id), teamOwner(team).room];
}

/** Whose team list a change to the team changes: its owner's, or every member's of its guild. */
function teamReaders(team: Pick<Team, "ownerUserId" | "guildId">): UserChange {
	if (team.guildId !== null) return { guilds: [team.guildId] };
	return { users: team.ownerUserId === null ? [] : [team.ownerUserId] };
}

/** `userViews`: this instance's user cache, told of each change once it committed (every instance hears by NOTIFY). */
export function createTeamService(db: Database, guilds: GuildService, userViews: UserViews = noUserViews) {
	return {
		async find(teamId: number): Promise<Team | undefined> {
			const [team] = await hotQueries(db).teamById.execute({ id: teamId });
			return team;
		},

		async access(team: Team, userId: number): Promise<TeamAccess> {
			if (team.guildId === null) return team.ownerUserId === userId ? "manage" : "none";
			const membership = await guilds.membership(team.guildId, userId);
			if (membership === undefined) return "none";
			return roleGrants({ kind: membership.roleKind, permissions: membership.permissions }, "team.manage")
				? "manage"
				: "read";
		},

		/** The user's own teams and those of every guild they are a member of. */
		listForUser(userId: number) {
			const myGuilds = db
				.select({ guildId: guildMembers.guildId })
				.from(guildMembers)
				.where(eq(guildMembers.userId, userId));
			return db
				.select({ ...teamColumns(), memberCount })
				.from(teams)
				.where(or(eq(teams.ownerUserId, userId), inArray(teams.guildId, myGuilds)))
				.orderBy(asc(teams.id));
		},

		/** A name already used by the same owner (user or guild) is refused by the teams_*_name_unique indexes (409). */
		async create(values: {
			name: string;
			serverId: number;
			ownerUserId: number | null;
			guildId: number | null;
		}): Promise<Team> {
			return changingUserViews(db, userViews, async (tx, invalidate) => {
				const [team] = await tx.insert(teams).values(values).returning();
				if (team === undefined) throw new Error("team insert returned no row");
				await invalidate(teamReaders(team));
				await publishEvent(tx, {
					type: "team.created",
					audience: teamAudience(team),
					data: { ...team, members: [] },
					recheck: teamOwner(team).readers,
				});
				return team;
			});
		},

		/** Moving a team to another server is refused while it holds characters (they are all on the current one). */
		async update(
			teamId: number,
			changes: { name?: string | undefined; serverId?: number | undefined },
		): Promise<TeamChange> {
			return changingUserViews(db, userViews, async (tx, invalidate): Promise<TeamChange> => {
				const [locked] = await tx.select().from(teams).where(eq(teams.id, teamId)).for("update");
				if (locked === undefined) return { status: "missing" };
				const values: Partial<typeof teams.$inferInsert> = {};
				if (changes.name !== undefined) values.name = changes.name;
				if (changes.serverId !== undefined && changes.serverId !== locked.serverId) {
					const [held] = await tx.select({ total: count() }).from(teamMembers).where(eq(teamMembers.teamId, teamId));
					if ((held?.total ?? 0) > 0) return { status: "server-mismatch" };
					values.serverId = changes.serverId;
				}
				if (Object.keys(values).length === 0) return { status: "updated", team: locked };
				const [team] = await tx.update(teams).set(values).where(eq(teams.id, teamId)).returning();
				if (team === undefined) return { status: "missing" };
				await invalidate(teamReaders(team));
				await publishEvent(tx, { type: "team.updated", audience: teamAudience(team), data: team });
				return { status: "updated", team };
			});
		},

		/** Its members go with it (team_members cascade); `team.deleted` is all its readers need to drop them. */
		async remove(teamId: number): Promise<void> {
			await changingUserViews(db, userViews, async (tx, invalidate) => {
				const [team] = await tx.delete(teams).where(eq(teams.id, teamId)).returning();
				if (team === undefined) return;
				await invalidate(teamReaders(team));
				await publishEvent(tx, {
					type: "team.deleted",
					audience: teamAudience(team),
					data: { id: team.id, ownerUserId: team.ownerUserId, guildId: team.guildId },
					recheck: teamOwner(team).readers,
				});
			});
		},

		/** The team's characters with their owners, in the order they joined. */
		members(teamId: number) {
			return db
				.select({
					id: characters.id,
					name: characters.name,
					level: characters.level,
					classId: characters.classId,
					serverId: characters.serverId,
					userId: gameAccounts.userId,
					addedAt: teamMembers.addedAt,
				})
				.from(teamMembers)
				.innerJoin(characters, eq(characters.id, teamMembers.characterId))
				.innerJoin(gameAccounts, eq(gameAccounts.id, characters.accountId))
				.where(eq(teamMembers.teamId, teamId))
				.orderBy(asc(teamMembers.addedAt), asc(characters.id));
		},

		/** A personal team holds its owner's characters; a guild team those of the guild's members. */
		async mayHold(team: Team, character: { userId: number }): Promise<boolean> {
			if (team.guildId === null) return team.ownerUserId === character.userId;
			const [member] = await db
				.select({ userId: guildMembers.userId })
				.from(guildMembers)
				.where(and(eq(guildMembers.guildId, team.guildId), eq(guildMembers.userId, character.userId)));
			return member !== undefined;
		},

		/**
		 * Adds a character (idempotent). The team row is locked first, so two additions to a team of 7 run one
		 * after the other and the second finds it full; the server is read from the locked row too.
		 */
		async addMember(teamId: number, character: { id: number; serverId: number }): Promise<MemberAddition> {
			return changingUserViews(db, userViews, async (tx, invalidate): Promise<MemberAddition> => {
				const [locked] = await tx
					.select({ serverId: teams.serverId, ownerUserId: teams.ownerUserId, guildId: teams.guildId })
					.from(teams)
					.where(eq(teams.id, teamId))
					.for("update");
				if (locked === undefined) return { status: "missing" };
				const current = await tx
					.select({ characterId: teamMembers.characterId })
					.from(teamMembers)
					.where(eq(teamMembers.teamId, teamId));
				if (current.some((member) => member.characterId === character.id)) return { status: "present" };
				if (locked.serverId !== character.serverId) return { status: "server-mismatch" };
				if (current.length >= maxTeamSize) return { status: "full" };
				await tx.insert(teamMembers).values({ teamId, characterId: character.id });
				// The list shows each team's member count.
				await invalidate(teamReaders(locked));
				await publishEvent(tx, {
					type: "team.member_added",
					audience: [rooms.team(teamId)],
					data: { teamId, characterId: character.id },
				});
				return { status: "added" };
			});
		},

		async removeMember(teamId: number, characterId: number): Promise<boolean> {
			return changingUserViews(db, userViews, async (tx, invalidate) => {
				const removed = await tx
					.delete(teamMembers)
					.where(and(eq(teamMembers.teamId, teamId), eq(teamMembers.characterId, characterId)))
					.returning({ characterId: teamMembers.characterId });
				if (removed.length === 0) return false;
				const [team] = await tx
					.select({ ownerUserId: teams.ownerUserId, guildId: teams.guildId })
					.from(teams)
					.where(eq(teams.id, teamId));
				if (team !== undefined) await invalidate(teamReaders(team));
				await publishEvent(tx, teamMemberRemoved(teamId, characterId));
				return true;
			});
		},
	};
}

/** Also published by a guild for the characters a leaving member takes out of its teams. */
export function teamMemberRemoved(teamId: number, characterId: number) {
	return {
		type: "team.member_removed",
		audience: [rooms.team(teamId)],
		data: { teamId, characterId },
	} as const satisfies EventToPublish;
}

function teamColumns() {
	return {
		id: teams.id,
		name: teams.name,
		ownerUserId: teams.ownerUserId,
		guildId: teams.guildId,
		serverId: teams.serverId,
		createdAt: teams.createdAt,
		updatedAt: teams.updatedAt,
	};
}

export type TeamService = ReturnType<typeof createTeamService>;
