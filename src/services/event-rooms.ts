// Real-time rooms on both sides: the rooms a user may follow (the resolver) and the rooms a character's change reaches.
// Kept side by side because they must agree: an audience key no resolver grants reaches nobody.
import { asc, eq, inArray, or } from "drizzle-orm";
import type { Database, Executor } from "../db/index.js";
import { guildMembers, guildRoles, teamMembers, teams } from "../db/schema/index.js";
import { type RoomResolver, rooms } from "../realtime/rooms.js";
import { permissions, roleGrants } from "./permissions.js";

/**
 * Two queries: the user's guild memberships with their roles, and the teams they may read (their personal teams and
 * every team of their guilds, as `GET /api/teams` lists them). A guild room carries one `guild:<g>#<right>` key per
 * right the member's role grants, so `rooms.guildRight` audiences reach exactly the members holding that right.
 */
export function createEventRoomResolver(db: Database): RoomResolver {
	return async (userId) => {
		const myGuilds = db
			.select({ guildId: guildMembers.guildId })
			.from(guildMembers)
			.where(eq(guildMembers.userId, userId));
		const [memberships, readableTeams] = await Promise.all([
			db
				.select({ guildId: guildMembers.guildId, kind: guildRoles.kind, permissions: guildRoles.permissions })
				.from(guildMembers)
				.innerJoin(guildRoles, eq(guildRoles.id, guildMembers.roleId))
				.where(eq(guildMembers.userId, userId)),
			db
				.select({ id: teams.id })
				.from(teams)
				.where(or(eq(teams.ownerUserId, userId), inArray(teams.guildId, myGuilds))),
		]);
		const visible = new Map<string, readonly string[]>([
			[rooms.user(userId), [rooms.user(userId)]],
			[rooms.reference, [rooms.reference]],
		]);
		for (const membership of memberships) {
			const granted = permissions.filter((right) => roleGrants(membership, right));
			visible.set(rooms.guild(membership.guildId), [
				rooms.guild(membership.guildId),
				...granted.map((right) => rooms.guildRight(membership.guildId, right)),
			]);
		}
		for (const team of readableTeams) visible.set(rooms.team(team.id), [rooms.team(team.id)]);
		return visible;
	};
}

/**
 * Who hears of a change to one of `ownerId`'s characters: the owner, the fellows of the owner's guilds whose role lets
 * them view it (as `GET /api/characters/{id}` would), and the readers of every team holding it. Read inside the
 * change's transaction, before a deletion (which takes the team memberships with it); two queries for any number.
 */
export async function characterAudiences(
	executor: Executor,
	ownerId: number,
	characterIds: readonly number[],
): Promise<(characterId: number) => string[]> {
	const [ownerGuilds, memberships] = await Promise.all([
		executor
			.select({ guildId: guildMembers.guildId })
			.from(guildMembers)
			.where(eq(guildMembers.userId, ownerId))
			.orderBy(asc(guildMembers.guildId)),
		characterIds.length === 0
			? []
			: executor
					.select({ characterId: teamMembers.characterId, teamId: teamMembers.teamId })
					.from(teamMembers)
					.where(inArray(teamMembers.characterId, [...characterIds]))
					.orderBy(asc(teamMembers.teamId)),
	]);
	const shared = [rooms.user(ownerId), ...ownerGuilds.map((row) => rooms.guildRight(row.guildId, "character.view"))];
	return (characterId) => [
		...shared,
		...memberships.filter((row) => row.characterId === characterId).map((row) => rooms.team(row.teamId)),
	];
}
