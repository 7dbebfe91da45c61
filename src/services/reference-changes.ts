// Reference data changed (a DofusDB sync): instances drop their cached lists at once, clients are told to reload them.
import type { Logger } from "pino";
import type { DatabaseHandle, Executor } from "../db/index.js";
import { listen, notify } from "../db/notifications.js";
import { publishEvent } from "../realtime/publish.js";
import { rooms } from "../realtime/rooms.js";
import type { ReferenceCache } from "./reference-cache.js";
import { type ReferenceResource, referenceResources } from "./reference-data.js";

const channel = "dofus_manager_reference_changed";

/**
 * Tells every instance that these lists changed (their caches drop them) and every signed-in client
 * (`reference.updated`); inside a transaction, only once it commits. Publishes an event: call it last in the transaction.
 */
export async function announceReferenceChange(
	executor: Executor,
	resources: readonly ReferenceResource[],
): Promise<void> {
	await notify(executor, channel, resources.join(","));
	await publishEvent(executor, { type: "reference.updated", audience: [rooms.reference], data: { resources } });
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
