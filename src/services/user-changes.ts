// A write changed what some users' cached reads show: every instance's user cache forgets them (LISTEN/NOTIFY).
import { and, eq, inArray, isNotNull } from "drizzle-orm";
import type { Logger } from "pino";
import { followChanges, type InvalidatedCache } from "../db/cache-invalidation.js";
import type { Database, DatabaseHandle, Executor, Transaction } from "../db/index.js";
import { notify } from "../db/notifications.js";
import { teamMembers, teams } from "../db/schema/index.js";

const channel = "dofus_manager_user_views_changed";

/** Whose cached views to drop: these users', and those of every member of these guilds (their guild teams changed). */
export interface UserChange {
	readonly users?: readonly number[];
	readonly guilds?: readonly number[];
}

/** What the user cache does with a change; cheap, and may run on any instance at any time. */
export type UserViewForgetter = InvalidatedCache<UserChange>;

/** What a service tells of its own changes once they committed: this instance's cache (nothing for an app without one). */
export type UserViews = Pick<UserViewForgetter, "forget">;

export const noUserViews: UserViews = { forget: () => {} };

// A payload PostgreSQL would refuse (over 8,000 bytes) asks every instance to empty its cache instead.
const everything = "*";

/**
 * Collects what a transaction changes: `invalidate(tx, change)` NOTIFYs every instance (delivered when, and only if,
 * the transaction commits) and, once the caller saw it commit, `committed()` tells this instance's cache at once, so
 * that the writer's next read is fresh without waiting for its own notification.
 */
export function collectUserChanges(local: UserViews) {
	const changes: UserChange[] = [];
	return {
		async invalidate(executor: Executor, change: UserChange): Promise<void> {
			if ((change.users?.length ?? 0) === 0 && (change.guilds?.length ?? 0) === 0) return;
			changes.push(change);
			const payload = JSON.stringify(change);
			await notify(executor, channel, Buffer.byteLength(payload) > 7_900 ? everything : payload);
		},
		committed(): void {
			for (const change of changes) local.forget(change);
		},
	};
}

/** Runs `work` in one transaction, with `invalidate` to call for each change it makes (see collectUserChanges). */
export async function changingUserViews<T>(
	db: Database,
	local: UserViews,
	work: (tx: Transaction, invalidate: (change: UserChange) => Promise<void>) => Promise<T>,
): Promise<T> {
	const changes = collectUserChanges(local);
	const result = await db.transaction((tx) => work(tx, (change) => changes.invalidate(tx, change)));
	changes.committed();
	return result;
}

/**
 * The guilds whose teams hold some of `characterIds`: deleting those characters changes the member counts their
 * members' team lists show. Read before the deletion, which takes the memberships with it.
 */
export async function guildsHolding(executor: Executor, characterIds: readonly number[]): Promise<number[]> {
	if (characterIds.length === 0) return [];
	const rows = await executor
		.selectDistinct({ guildId: teams.guildId })
		.from(teamMembers)
		.innerJoin(teams, eq(teams.id, teamMembers.teamId))
		.where(and(inArray(teamMembers.characterId, [...characterIds]), isNotNull(teams.guildId)));
	return rows.flatMap((row) => (row.guildId === null ? [] : [row.guildId]));
}

/** Makes `cache` forget whatever any process announces; resolves once listening (see followChanges). */
export function followUserChanges(
	handle: DatabaseHandle,
	cache: UserViewForgetter,
	logger?: Pick<Logger, "debug" | "warn">,
): Promise<() => Promise<void>> {
	return followChanges(handle, { channel, cacheName: "user cache", parse: parseChange }, cache, logger);
}

// An unreadable payload (another release's, or "*") empties the cache.
function parseChange(payload: string): UserChange | null {
	try {
		const value: unknown = JSON.parse(payload);
		if (typeof value !== "object" || value === null) return null;
		const { users, guilds } = value as Record<string, unknown>;
		const ids = (list: unknown) => list === undefined || (Array.isArray(list) && list.every(Number.isInteger));
		return ids(users) && ids(guilds) ? (value as UserChange) : null;
	} catch {
		return null;
	}
}
