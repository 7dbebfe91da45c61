// The per-user cache: each caller's own hot reads (first page of characters, teams) in process, with a TTL, forgotten on change.
import { eq } from "drizzle-orm";
import { LRUCache } from "lru-cache";
import type { Database } from "../db/index.js";
import { guildMembers } from "../db/schema/index.js";
import type { Character, CharacterQuery } from "./characters.js";
import type { UserChange, UserViewForgetter } from "./user-changes.js";

export type CharacterPage = { characters: Character[]; total: number };

/** The query the cache serves: page 1 in the default order, no filter, any page size (the size is part of the entry). */
export function isFirstPlainPage(query: CharacterQuery): boolean {
	return (
		query.page === 1 &&
		query.sort.field === "name" &&
		query.sort.direction === "asc" &&
		query.search === undefined &&
		query.classIds === undefined &&
		query.serverIds === undefined &&
		query.accountIds === undefined &&
		query.minLevel === undefined &&
		query.maxLevel === undefined
	);
}

export interface UserViewStats {
	/** Answers from the cache. */
	hits: number;
	/** Loads started (one per user however many of their requests missed at once). */
	misses: number;
	/** Requests that missed while a load for the same user was under way, and waited for it. */
	sharedMisses: number;
	/** Entries dropped because a change named their user or one of their guilds. */
	invalidations: number;
	entries: number;
}

export interface UserCache extends UserViewForgetter {
	/** The first plain page of the user's characters (see isFirstPlainPage): synchronous when cached. */
	characterPage(
		userId: number,
		limit: number,
		load: () => Promise<CharacterPage>,
	): CharacterPage | Promise<CharacterPage>;
	/** The teams the user may read (theirs and their guilds'), as GET /api/teams lists them. */
	teams<Team>(userId: number, load: () => Promise<Team[]>): Team[] | Promise<Team[]>;
	stats(): { characters: UserViewStats; teams: UserViewStats };
}

export interface UserCacheSettings {
	/** 0: no cache (every read goes to the database; the benchmark's uncached runs). */
	ttlMs: number;
	/** Users per view. */
	maxEntries?: number;
	/** Rows (characters, teams) per view, all users together: what bounds the memory, about 0.3 KB a row. */
	maxRows?: number;
}

interface Entry {
	/** What the entry was loaded for: the page size of a character page. */
	readonly variant: number;
	readonly value: unknown;
	readonly rows: number;
	/** The guilds whose changes make it stale: the user's guilds when it was read (teams only). */
	readonly guildIds: readonly number[];
}

interface Pending {
	readonly variant: number;
	readonly promise: Promise<unknown>;
	/** A change named this user while the load ran: what it read may predate it, so it is not stored. */
	stale: boolean;
}

/** One view: entries by user, loads under way, counters. */
function createView(settings: Required<UserCacheSettings>) {
	const entries = new LRUCache<number, Entry>({
		max: settings.maxEntries,
		maxSize: settings.maxRows,
		sizeCalculation: (entry) => entry.rows + 1,
		ttl: settings.ttlMs,
	});
	const pending = new Map<number, Pending>();
	const counts = { hits: 0, misses: 0, sharedMisses: 0, invalidations: 0 };
	// Bumped by every guild change: a load that started before one may hold that guild's old teams.
	let guildEpoch = 0;

	function forgetUser(userId: number): void {
		if (entries.delete(userId)) counts.invalidations++;
		const running = pending.get(userId);
		if (running !== undefined) {
			running.stale = true;
			pending.delete(userId);
		}
	}

	return {
		get<Value>(
			userId: number,
			variant: number,
			load: () => Promise<{ value: Value; rows: number; guildIds?: readonly number[] }>,
		): Value | Promise<Value> {
			const entry = entries.get(userId);
			if (entry !== undefined && entry.variant === variant) {
				counts.hits++;
				return entry.value as Value;
			}
			const shared = pending.get(userId);
			if (shared !== undefined && shared.variant === variant) {
				counts.sharedMisses++;
				return shared.promise as Promise<Value>;
			}
			counts.misses++;
			const startedEpoch = guildEpoch;
			const running: Pending = {
				variant,
				stale: false,
				promise: load()
					.then(({ value, rows, guildIds = [] }) => {
						const guildChanged = guildIds.length > 0 && guildEpoch !== startedEpoch;
						if (!running.stale && !guildChanged) entries.set(userId, { variant, value, rows, guildIds });
						return value;
					})
					.finally(() => {
						if (pending.get(userId) === running) pending.delete(userId);
					}),
			};
			pending.set(userId, running);
			return running.promise as Promise<Value>;
		},

		forget(change: UserChange): void {
			for (const userId of change.users ?? []) forgetUser(userId);
			const guilds = change.guilds ?? [];
			if (guilds.length === 0) return;
			guildEpoch++;
			const changed = new Set(guilds);
			const members: number[] = [];
			for (const [userId, entry] of entries.entries())
				if (entry.guildIds.some((guildId) => changed.has(guildId))) members.push(userId);
			for (const userId of members) forgetUser(userId);
		},

		clear(): void {
			guildEpoch++;
			counts.invalidations += entries.size;
			entries.clear();
			for (const running of pending.values()) running.stale = true;
			pending.clear();
		},

		stats: (): UserViewStats => ({ ...counts, entries: entries.size }),
	};
}

/**
 * Entries are keyed by user and tagged with what changes them: a write calls `invalidate` (user-changes.ts) with the
 * users whose view it changes, or the guilds whose members' team lists it changes. A load that a change overtook
 * answers its own request but is not kept. The guild tags cost one more query per teams miss.
 */
export function createUserCache(db: Database, settings: UserCacheSettings): UserCache {
	const resolved = { maxEntries: 10_000, maxRows: 200_000, ...settings };
	const characters = createView(resolved);
	const teams = createView(resolved);
	const enabled = resolved.ttlMs > 0;

	async function guildsOf(userId: number): Promise<number[]> {
		const rows = await db
			.select({ guildId: guildMembers.guildId })
			.from(guildMembers)
			.where(eq(guildMembers.userId, userId));
		return rows.map((row) => row.guildId);
	}

	return {
		characterPage(userId, limit, load) {
			if (!enabled) return load();
			return characters.get(userId, limit, async () => {
				const value = await load();
				return { value, rows: value.characters.length };
			});
		},

		teams<Team>(userId: number, load: () => Promise<Team[]>) {
			if (!enabled) return load();
			return teams.get(userId, 0, async () => {
				// A join committing between the two reads invalidates the user anyway: the order does not matter.
				const [guildIds, value] = await Promise.all([guildsOf(userId), load()]);
				return { value, rows: value.length, guildIds };
			});
		},

		forget(change) {
			characters.forget(change);
			teams.forget(change);
		},

		clear() {
			characters.clear();
			teams.clear();
		},

		stats: () => ({ characters: characters.stats(), teams: teams.stats() }),
	};
}
