// Caches every instance keeps of the database: a change is NOTIFYed on a channel, and each instance's cache forgets
// what it names. One follower for all of them: the user cache, the tenant cache, the flag cache, the reference lists.
import type { Logger } from "pino";
import type { DatabaseHandle } from "./client.js";
import { listen } from "./notifications.js";

/** What a cache does with a change; cheap, and may run on any instance at any time. */
export interface InvalidatedCache<Change> {
	forget(change: Change): void;
	clear(): void;
}

/** A channel that announces changes of one kind, and how to read its payloads. */
export interface ChangeChannel<Change> {
	readonly channel: string;
	/** What log lines call the cache ("user cache"). */
	readonly cacheName: string;
	/** The change a payload names, or null when it names none this release can read (the cache is then emptied). */
	parse(payload: string): Change | null;
}

/**
 * Makes `cache` forget whatever any process announces on `changes`; resolves once listening. An unreadable payload
 * (another release's) empties the cache: a stale entry is worse than a few queries. Notifications sent while a
 * PostgreSQL listener was reconnecting are lost, so the cache is emptied then too, since nothing says what it missed.
 */
export function followChanges<Change>(
	handle: DatabaseHandle,
	changes: ChangeChannel<Change>,
	cache: InvalidatedCache<Change>,
	logger?: Pick<Logger, "debug" | "warn">,
): Promise<() => Promise<void>> {
	return listen(
		handle,
		changes.channel,
		(payload) => {
			const change = changes.parse(payload);
			if (change === null) cache.clear();
			else cache.forget(change);
			logger?.debug({ change: change ?? "all" }, `${changes.cacheName} invalidated`);
		},
		{
			onReconnect: () => {
				cache.clear();
				logger?.warn(`${changes.cacheName} listener reconnected: cache emptied`);
			},
		},
	);
}
