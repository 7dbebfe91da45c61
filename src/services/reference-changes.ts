// Reference data changed (a DofusDB sync): every API instance drops its cached lists at once, not when their TTL ends.
import type { Logger } from "pino";
import type { DatabaseHandle, Executor } from "../db/index.js";
import { listen, notify } from "../db/notifications.js";
import type { ReferenceCache } from "./reference-cache.js";
import { type ReferenceResource, referenceResources } from "./reference-data.js";

const channel = "dofus_manager_reference_changed";

/** Tells every instance that these lists changed; inside a transaction, only once it commits. */
export function announceReferenceChange(executor: Executor, resources: readonly ReferenceResource[]): Promise<void> {
	return notify(executor, channel, resources.join(","));
}

/** Invalidates `cache` whenever any process announces a change; resolves once listening. */
export function followReferenceChanges(
	handle: DatabaseHandle,
	cache: Pick<ReferenceCache, "invalidate">,
	logger?: Pick<Logger, "info">,
): Promise<() => Promise<void>> {
	return listen(handle, channel, (payload) => {
		const named = payload
			.split(",")
			.filter((name): name is ReferenceResource => (referenceResources as readonly string[]).includes(name));
		// An empty or unknown payload (an older release) drops everything: stale lists are worse than one reload.
		if (named.length === 0) cache.invalidate();
		else for (const resource of named) cache.invalidate(resource);
		logger?.info({ resources: named.length === 0 ? "all" : named }, "reference cache invalidated");
	});
}
