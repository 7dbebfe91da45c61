// Characters: the filtered, sorted, paginated list of a user's characters, create/read/change/delete, bulk delete, guild visibility.
import { and, asc, count, desc, eq, gte, inArray, lte, ne, type SQL, sql } from "drizzle-orm";
import type { Database, Transaction } from "../db/index.js";
import { hotQueries } from "../db/queries.js";
import { characters, gameAccounts, guildMembers, guildRoles, teamMembers, teams } from "../db/schema/index.js";
import { type EventToPublish, publishEvent, publishEvents } from "../realtime/publish.js";
import { characterAudiences } from "./event-rooms.js";
import { portraitIn } from "./pictures.js";
import { changingUserViews, guildsHolding, noUserViews, type UserChange, type UserViews } from "./user-changes.js";

/** A character row as routes answer it. */
export type Character = Omit<OwnedCharacter, "userId">;

/** A character with the user who owns it (through its game account): what the checkers drop. */
export interface OwnedCharacter {
	id: number;
	accountId: number;
	name: string;
	level: number;
	classId: number;
	serverId: number;
	createdAt: Date;
	updatedAt: Date;
	userId: number;
}

export const characterSortFields = ["name", "level", "updatedAt"] as const;
export type CharacterSortField = (typeof characterSortFields)[number];
export type SortDirection = "asc" | "desc";

export interface CharacterQuery {
	search?: string | undefined;
	classIds?: readonly number[] | undefined;
	serverIds?: readonly number[] | undefined;
	accountIds?: readonly number[] | undefined;
	minLevel?: number | undefined;
	maxLevel?: number | undefined;
	sort: { field: CharacterSortField; direction: SortDirection };
	page: number;
	limit: number;
}

export type CharacterUpdate = Partial<Pick<OwnedCharacter, "accountId" | "name" | "level" | "classId" | "serverId">>;

export type CharacterChange =
	| { status: "updated"; character: OwnedCharacter }
	| { status: "server-mismatch" }
	| { status: "missing" };

const characterColumns = {
	id: characters.id,
	accountId: characters.accountId,
	name: characters.name,
	level: characters.level,
	classId: characters.classId,
	serverId: characters.serverId,
	createdAt: characters.createdAt,
	updatedAt: characters.updatedAt,
};

const sortColumns: Record<CharacterSortField, SQL | typeof characters.level | typeof characters.updatedAt> = {
	// Names sort the way players read them, case aside (and lower(name) has an index).
	name: sql`lower(${characters.name})`,
	level: characters.level,
	updatedAt: characters.updatedAt,
};

/** Owners see their characters; a guild role with `character.view` lets fellow members read them (owners: every right). */
const viewerGrantsView = sql`(${guildRoles.kind} = 'owner' or 'character.view' = any(${guildRoles.permissions}))`;

/** Which filters a list query has and how it sorts: one prepared statement per shape (at most 2^6 × 6). */
function shapeOf(query: CharacterQuery) {
	return {
		search: query.search !== undefined,
		classIds: query.classIds !== undefined,
		serverIds: query.serverIds !== undefined,
		accountIds: query.accountIds !== undefined,
		minLevel: query.minLevel !== undefined,
		maxLevel: query.maxLevel !== undefined,
		field: query.sort.field,
		direction: query.sort.direction,
	};
}

type ListShape = ReturnType<typeof shapeOf>;

/** One `character.deleted` per id (all of one owner's), to the audiences read before the deletion took their teams. */
export function characterDeletions(
	ownerId: number,
	characterIds: readonly number[],
	audienceOf: (characterId: number) => string[],
): EventToPublish[] {
	return characterIds.map((id) => ({
		type: "character.deleted",
		audience: audienceOf(id),
		data: { id, userId: ownerId },
	}));
}

/**
 * Deletes `characterIds` (locked by the caller, all of `ownerId`'s) and logs their deletion. The audiences are read
 * first, while the team memberships the deletion takes with it still exist; so are the guilds whose team lists change.
 */
async function deleteAndPublish(
	tx: Transaction,
	ownerId: number,
	characterIds: readonly number[],
	invalidate: (change: UserChange) => Promise<void>,
): Promise<number> {
	if (characterIds.length === 0) return 0;
	const [audienceOf, guilds] = await Promise.all([
		characterAudiences(tx, ownerId, characterIds),
		guildsHolding(tx, characterIds),
	]);
	await tx.delete(characters).where(inArray(characters.id, [...characterIds]));
	await invalidate({ users: [ownerId], guilds });
	await publishEvents(tx, characterDeletions(ownerId, characterIds, audienceOf));
	return characterIds.length;
}

/** `userViews`: this instance's user cache, told of each change once it committed (every instance hears by NOTIFY). */
export function createCharacterService(db: Database, userViews: UserViews = noUserViews) {
	/** Placeholders only, so the SQL text depends on the shape alone (id lists are one array parameter each). */
	function listConditions(shape: ListShape): SQL | undefined {
		const conditions: (SQL | undefined)[] = [eq(gameAccounts.userId, sql.placeholder("userId"))];
		// strpos rather than ILIKE: no wildcard in the search text to escape.
		if (shape.search) conditions.push(sql`strpos(lower(${characters.name}), ${sql.placeholder("search")}) > 0`);
		if (shape.classIds) conditions.push(sql`${characters.classId} = any(${sql.placeholder("classIds")}::int4[])`);
		if (shape.serverIds) conditions.push(sql`${characters.serverId} = any(${sql.placeholder("serverIds")}::int4[])`);
		if (shape.accountIds) conditions.push(sql`${characters.accountId} = any(${sql.placeholder("accountIds")}::int4[])`);
		if (shape.minLevel) conditions.push(gte(characters.level, sql.placeholder("minLevel")));
		if (shape.maxLevel) conditions.push(lte(characters.level, sql.placeholder("maxLevel")));
		return and(...conditions);
	}

	function preparePage(shape: ListShape, name: string) {
		const order = shape.direction === "asc" ? asc : desc;
		return db
			.select({ ...characterColumns, total: sql<number>`count(*) over ()`.mapWith(Number) })
			.from(characters)
			.innerJoin(gameAccounts, eq(gameAccounts.id, characters.accountId))
			.where(listConditions(shape))
			.orderBy(order(sortColumns[shape.field]), order(characters.id))
			.limit(sql.placeholder("limit"))
			.offset(sql.placeholder("offset"))
			.prepare(name);
	}

	function prepareCount(shape: ListShape, name: string) {
		return db
			.select({ total: count() })
			.from(characters)
			.innerJoin(gameAccounts, eq(gameAccounts.id, characters.accountId))
			.where(listConditions(shape))
			.prepare(name);
	}

	// Built on first use; on postgres.js a named statement is parsed and planned once per connection.
	const pages = new Map<string, ReturnType<typeof preparePage>>();
	const counts = new Map<string, ReturnType<typeof prepareCount>>();
	const shapeKey = (shape: ListShape) =>
		`${shape.field}_${shape.direction}_${[shape.search, shape.classIds, shape.serverIds, shape.accountIds, shape.minLevel, shape.maxLevel].map(Number).join("")}`;

	return {
		async find(characterId: number): Promise<OwnedCharacter | undefined> {
			const [character] = await hotQueries(db).characterById.execute({ id: characterId });
			return character;
		},

		/**
		 * One query in the common case: the page and, through a window count, the total. Only a page past the
		 * end (no row to carry the count) costs a second, plain count. Ties are broken on id so pages never overlap.
		 */
		async list(userId: number, query: CharacterQuery): Promise<{ characters: Character[]; total: number }> {
			const shape = shapeOf(query);
			const key = shapeKey(shape);
			let page = pages.get(key);
			if (page === undefined) {
				page = preparePage(shape, `characters_page_${key}`);
				pages.set(key, page);
			}
			const values = {
				userId,
				search: query.search?.toLowerCase(),
				classIds: query.classIds,
				serverIds: query.serverIds,
				accountIds: query.accountIds,
				minLevel: query.minLevel,
				maxLevel: query.maxLevel,
				limit: query.limit,
				offset: (query.page - 1) * query.limit,
			};
			const rows = await page.execute(values);
			const first = rows[0];
			if (first !== undefined)
				return { characters: rows.map(({ total: _total, ...character }) => character), total: first.total };
			if (query.page === 1) return { characters: [], total: 0 };
			let counter = counts.get(key);
			if (counter === undefined) {
				counter = prepareCount(shape, `characters_count_${key}`);
				counts.set(key, counter);
			}
			const [counted] = await counter.execute(values);
			return { characters: [], total: counted?.total ?? 0 };
		},

		/** A name taken on the server (by anyone: the game's rule) is refused by characters_server_name_unique (409). */
		async create(
			values: { accountId: number; name: string; level: number; classId: number; serverId: number },
			userId: number,
		): Promise<OwnedCharacter> {
			return changingUserViews(db, userViews, async (tx, invalidate) => {
				const [inserted] = await tx.insert(characters).values(values).returning(characterColumns);
				if (inserted === undefined) throw new Error("character insert returned no row");
				const character = { ...inserted, userId };
				const audienceOf = await characterAudiences(tx, userId, [character.id]);
				await invalidate({ users: [userId] });
				// Shown as the REST routes show it: a new character has no portrait yet.
				await publishEvent(tx, {
					type: "character.created",
					audience: audienceOf(character.id),
					data: { ...character, portrait: null },
				});
				return character;
			});
		},

		/**
		 * A character that changes server must not stay in a team of its former server: the team rows are locked
		 * (like an addition does) and the change is refused while one of them is on another server.
		 */
		async update(character: OwnedCharacter, changes: CharacterUpdate, ownerId: number): Promise<CharacterChange> {
			const values = Object.fromEntries(
				Object.entries(changes).filter(([, value]) => value !== undefined),
			) as CharacterUpdate;
			return changingUserViews(db, userViews, async (tx, invalidate): Promise<CharacterChange> => {
				if (values.serverId !== undefined && values.serverId !== character.serverId) {
					const held = await tx
						.select({ id: teams.id })
						.from(teams)
						.innerJoin(teamMembers, eq(teamMembers.teamId, teams.id))
						.where(and(eq(teamMembers.characterId, character.id), ne(teams.serverId, values.serverId)))
						.for("update", { of: teams });
					if (held.length > 0) return { status: "server-mismatch" };
				}
				// An empty change writes nothing, so it has nothing to tell either.
				if (Object.keys(values).length === 0) {
					const [current] = await tx.select(characterColumns).from(characters).where(eq(characters.id, character.id));
					return current === undefined
						? { status: "missing" }
						: { status: "updated", character: { ...current, userId: ownerId } };
				}
				const [updated] = await tx
					.update(characters)
					.set(values)
					.where(eq(characters.id, character.id))
					.returning(characterColumns);
				if (updated === undefined) return { status: "missing" };
				const changed = { ...updated, userId: ownerId };
				const audienceOf = await characterAudiences(tx, ownerId, [changed.id]);
				await invalidate({ users: [ownerId] });
				await publishEvent(tx, {
					type: "character.updated",
					audience: audienceOf(changed.id),
					data: { ...changed, portrait: await portraitIn(tx, changed.id) },
				});
				return { status: "updated", character: changed };
			});
		},

		/**
		 * The row is locked first: a team addition (which key-share locks the character) then waits, so the
		 * `character.deleted` audience names every team the deletion takes the character out of.
		 */
		async remove(character: { id: number; userId: number }): Promise<void> {
			await changingUserViews(db, userViews, async (tx, invalidate) => {
				const locked = await tx
					.select({ id: characters.id })
					.from(characters)
					.where(eq(characters.id, character.id))
					.for("update");
				await deleteAndPublish(
					tx,
					character.userId,
					locked.map(({ id }) => id),
					invalidate,
				);
			});
		},

		/** Deletes those of `ids` that belong to the user; the others are left alone and not reported. One event each. */
		async removeMany(userId: number, ids: readonly number[]): Promise<number> {
			return changingUserViews(db, userViews, async (tx, invalidate) => {
				const owned = tx.select({ id: gameAccounts.id }).from(gameAccounts).where(eq(gameAccounts.userId, userId));
				const locked = await tx
					.select({ id: characters.id })
					.from(characters)
					.where(and(inArray(characters.id, [...ids]), inArray(characters.accountId, owned)))
					.orderBy(asc(characters.id))
					.for("update");
				return deleteAndPublish(
					tx,
					userId,
					locked.map(({ id }) => id),
					invalidate,
				);
			});
		},

		/** Whether `viewerId` shares a guild with `ownerId` in which the viewer's role grants `character.view`. */
		async visibleThroughGuild(viewerId: number, ownerId: number): Promise<boolean> {
			const owner = db
				.select({ guildId: guildMembers.guildId })
				.from(guildMembers)
				.where(eq(guildMembers.userId, ownerId));
			const [row] = await db
				.select({ guildId: guildMembers.guildId })
				.from(guildMembers)
				.innerJoin(guildRoles, eq(guildRoles.id, guildMembers.roleId))
				.where(and(eq(guildMembers.userId, viewerId), inArray(guildMembers.guildId, owner), viewerGrantsView))
				.limit(1);
			return row !== undefined;
		},
	};
}

export type CharacterService = ReturnType<typeof createCharacterService>;
