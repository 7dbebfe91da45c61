// Reference data changed (a DofusDB sync): instances drop their cached lists at once, clients are told to reload them.
import type { Logger } from "pino";
import { followChanges, type InvalidatedCache } from "../db/cache-invalidation.js";
import type { DatabaseHandle, Executor } from "../db/index.js";
import { notify } from "../db/notifications.js";
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

/**
 * Invalidates `cache` whenever any process announces a change; resolves once listening. An empty or unknown payload
 * (an older release's), or a reconnected listener, drops every list: stale lists are worse than one reload.
 */
export function followReferenceChanges(
	handle: DatabaseHandle,
	cache: Pick<ReferenceCache, "invalidate">,
	logger?: Pick<Logger, "debug" | "warn">,
): Promise<() => Promise<void>> {
	const lists: InvalidatedCache<readonly ReferenceResource[]> = {
		forget: (resources) => {
			for (const resource of resources) cache.invalidate(resource);
		},
		clear: () => cache.invalidate(),
	};
	return followChanges(handle, { channel, cacheName: "reference cache", parse: parseResources }, lists, logger);
}

function parseResources(payload: string): readonly ReferenceResource[] | null {
	const named = payload
		.split(",")
		.filter((name): name is ReferenceResource => (referenceResources as readonly string[]).includes(name));
	return named.length === 0 ? null : named;
}
