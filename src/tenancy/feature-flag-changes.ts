// A feature flag or a guild's value of one changed: every instance's flag cache forgets what it knew.
import type { Logger } from "pino";
import { followChanges, type InvalidatedCache } from "../db/cache-invalidation.js";
import type { DatabaseHandle, Executor } from "../db/index.js";
import { notify } from "../db/notifications.js";

const channel = "dofus_manager_feature_flags_changed";

/** What a flag cache does with a change: drop everything, cheaply, on any instance at any time. */
export interface FlagForgetter {
	clear(): void;
}

/** Tells every instance; inside a transaction, only once it commits. */
export async function announceFeatureFlagChange(executor: Executor): Promise<void> {
	await notify(executor, channel);
}

/** Makes `cache` forget whatever any process announces; resolves once listening (see followChanges). */
export function followFeatureFlagChanges(
	handle: DatabaseHandle,
	cache: FlagForgetter,
	logger?: Pick<Logger, "debug" | "warn">,
): Promise<() => Promise<void>> {
	// Every change empties the whole cache: flags are few, and a change is rare.
	const everything: InvalidatedCache<null> = { forget: () => cache.clear(), clear: () => cache.clear() };
	return followChanges(handle, { channel, cacheName: "feature flag cache", parse: () => null }, everything, logger);
}
