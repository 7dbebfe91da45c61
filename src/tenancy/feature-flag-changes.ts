// A feature flag or a guild's value of one changed: every instance's flag cache forgets what it knew.
import type { Logger } from "pino";
import type { DatabaseHandle, Executor } from "../db/index.js";
import { listen, notify } from "../db/notifications.js";

const channel = "dofus_manager_feature_flags_changed";

/** What a flag cache does with a change: drop everything, cheaply, on any instance at any time. */
export interface FlagForgetter {
	clear(): void;
}

/** Tells every instance; inside a transaction, only once it commits. */
export async function announceFeatureFlagChange(executor: Executor): Promise<void> {
	await notify(executor, channel);
}

/**
 * Makes `cache` forget whatever any process announces; resolves once listening. After a lost PostgreSQL connection
 * the cache is emptied too, since nothing says what was missed.
 */
export function followFeatureFlagChanges(
	handle: DatabaseHandle,
	cache: FlagForgetter,
	logger?: Pick<Logger, "debug" | "warn">,
): Promise<() => Promise<void>> {
	return listen(
		handle,
		channel,
		() => {
			cache.clear();
			logger?.debug("feature flag cache invalidated");
		},
		{
			onReconnect: () => {
				cache.clear();
				logger?.warn("feature flag change listener reconnected: flag cache emptied");
			},
		},
	);
}
