// Progressions: a character's statuses on quests, achievements and dungeons; a team's matrix; a guild's per-member counts.
import { and, asc, count, eq, inArray } from "drizzle-orm";
import type { Database } from "../db/index.js";
import {
	characters,
	dungeons,
	gameAccounts,
	guildMembers,
	type ProgressionKind,
	type ProgressionStatus,
	progressionKinds,
	progressionStatuses,
	progressions,
	users,
} from "../db/schema/index.js";
import { publishEvent } from "../realtime/publish.js";
import { characterAudiences } from "./event-rooms.js";

export type StatusCounts = Record<ProgressionStatus, number>;
export type KindCounts = Record<ProgressionKind, StatusCounts>;

export interface MatrixRow {
	refId: number;
	/** For dungeons: the reference row's name and level; quests and achievements have no reference table yet. */
	name: string | null;
	level: number | null;
	/** One status per character, in the order of the matrix's `characters`. */
	statuses: ProgressionStatus[];
}

const progressionColumns = {
	kind: progressions.kind,
	refId: progressions.refId,
	status: progressions.status,
	updatedAt: progressions.updatedAt,
};

function emptyCounts(): KindCounts {
	const statuses = () => Object.fromEntries(progressionStatuses.map((status) => [status, 0])) as StatusCounts;
	return Object.fromEntries(progressionKinds.map((kind) => [kind, statuses()])) as KindCounts;
}

export function createProgressionService(db: Database) {
	return {
		listForCharacter(
			characterId: number,
			filter: { kind?: ProgressionKind | undefined; status?: ProgressionStatus | undefined },
		) {
			const conditions = [eq(progressions.characterId, characterId)];
			if (filter.kind !== undefined) conditions.push(eq(progressions.kind, filter.kind));
			if (filter.status !== undefined) conditions.push(eq(progressions.status, filter.status));
			return db
				.select(progressionColumns)
				.from(progressions)
				.where(and(...conditions))
				.orderBy(asc(progressions.kind), asc(progressions.refId));
		},

		/** Creates or replaces the status (the primary key is character, kind, ref); told to whoever may see the character. */
		async save(
			character: { id: number; userId: number },
			kind: ProgressionKind,
			refId: number,
			status: ProgressionStatus,
		) {
			const characterId = character.id;
			return db.transaction(async (tx) => {
				const [row] = await tx
					.insert(progressions)
					.values({ characterId, kind, refId, status })
					.onConflictDoUpdate({
						target: [progressions.characterId, progressions.kind, progressions.refId],
						set: { status, updatedAt: new Date() },
					})
					.returning(progressionColumns);
				if (row === undefined) throw new Error("progression upsert returned no row");
				const audienceOf = await characterAudiences(tx, character.userId, [characterId]);
				await publishEvent(tx, {
					type: "progression.saved",
					audience: audienceOf(characterId),
					data: { characterId, kind: row.kind, refId: row.refId, status: row.status },
				});
				return row;
			});
		},

		/**
		 * Rows are refs, columns the team's characters (in the order given), cells the status (`todo` without a row).
		 * Dungeons list every dungeon; quests and achievements list the refs some member has a status for.
		 */
		async teamMatrix(characterIds: readonly number[], kind: ProgressionKind): Promise<MatrixRow[]> {
			const rows =
				characterIds.length === 0
					? []
					: await db
							.select({ characterId: progressions.characterId, refId: progressions.refId, status: progressions.status })
							.from(progressions)
							.where(and(eq(progressions.kind, kind), inArray(progressions.characterId, [...characterIds])));
			const cells = new Map(rows.map((row) => [`${row.refId}:${row.characterId}`, row.status]));
			const statusesOf = (refId: number) =>
				characterIds.map((characterId) => cells.get(`${refId}:${characterId}`) ?? "todo");
			if (kind === "dungeon") {
				const all = await db.select().from(dungeons).orderBy(asc(dungeons.level), asc(dungeons.id));
				return all.map((dungeon) => ({
					refId: dungeon.id,
					name: dungeon.name,
					level: dungeon.level,
					statuses: statusesOf(dungeon.id),
				}));
			}
			const refIds = [...new Set(rows.map((row) => row.refId))].sort((a, b) => a - b);
			return refIds.map((refId) => ({ refId, name: null, level: null, statuses: statusesOf(refId) }));
		},

		/** Per member of the guild: how many characters, and their progression rows counted by kind and status. */
		async guildSummary(guildId: number) {
			const members = await db
				.select({ userId: users.id, displayName: users.displayName })
				.from(guildMembers)
				.innerJoin(users, eq(users.id, guildMembers.userId))
				.where(eq(guildMembers.guildId, guildId))
				.orderBy(asc(guildMembers.joinedAt), asc(users.id));
			const memberCharacters = db
				.select({ id: characters.id, userId: gameAccounts.userId })
				.from(characters)
				.innerJoin(gameAccounts, eq(gameAccounts.id, characters.accountId))
				.innerJoin(guildMembers, and(eq(guildMembers.userId, gameAccounts.userId), eq(guildMembers.guildId, guildId)))
				.as("member_characters");
			const [characterCounts, progressionCounts] = await Promise.all([
				db
					.select({ userId: memberCharacters.userId, total: count() })
					.from(memberCharacters)
					.groupBy(memberCharacters.userId),
				db
					.select({
						userId: memberCharacters.userId,
						kind: progressions.kind,
						status: progressions.status,
						total: count(),
					})
					.from(progressions)
					.innerJoin(memberCharacters, eq(memberCharacters.id, progressions.characterId))
					.groupBy(memberCharacters.userId, progressions.kind, progressions.status),
			]);
			const summaries = new Map(
				members.map((member) => [member.userId, { ...member, characters: 0, progressions: emptyCounts() }]),
			);
			for (const row of characterCounts) {
				const summary = summaries.get(row.userId);
				if (summary !== undefined) summary.characters = row.total;
			}
			for (const row of progressionCounts) {
				const summary = summaries.get(row.userId);
				if (summary !== undefined) summary.progressions[row.kind][row.status] = row.total;
			}
			return [...summaries.values()];
		},
	};
}

export type ProgressionService = ReturnType<typeof createProgressionService>;
