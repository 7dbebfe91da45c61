// In-process cache of the reference lists: the body each GET sends and its strong ETag, for a TTL, invalidated by syncs.
import { createHash } from "node:crypto";
import type { Executor } from "../db/index.js";
import {
	loadReferenceBody,
	type ReferenceBody,
	type ReferenceResource,
	referenceBodySchemas,
	referenceResources,
} from "./reference-data.js";

export interface CachedReference<R extends ReferenceResource = ReferenceResource> {
	/** Exactly the object the route sends: already its schema's output, so the framework's re-serialisation changes nothing. */
	readonly body: ReferenceBody<R>;
	/** Strong ETag: a hash of `JSON.stringify(body)`, the bytes sent. */
	readonly etag: string;
	/** Time (the cache's clock, in ms) after which the entry is read again from the database. */
	readonly expiresAt: number;
}

export interface ReferenceCache {
	/** The entry if it is loaded and fresh, else undefined: lets a route answer a hit without awaiting anything. */
	peek<R extends ReferenceResource>(resource: R): CachedReference<R> | undefined;
	/** The fresh entry, loading it if needed; concurrent misses share one load. */
	get<R extends ReferenceResource>(resource: R): Promise<CachedReference<R>>;
	/** Drops one resource (or all): the next request reads the database. Loads already running are not stored. */
	invalidate(resource?: ReferenceResource): void;
}

export interface ReferenceCacheOptions {
	db: Executor;
	ttlMs: number;
	/** Milliseconds since the epoch; tests move it. Default: Date.now. */
	now?: () => number;
	/** Reads one list; tests wrap it to count the database reads. Default: loadReferenceBody. */
	load?: <R extends ReferenceResource>(db: Executor, resource: R) => Promise<ReferenceBody<R>>;
}

interface Slot {
	entry: CachedReference | undefined;
	pending: Promise<CachedReference> | undefined;
	/** Bumped by invalidate(): a load started before it must not be stored as fresh. */
	generation: number;
}

/** A strong entity tag for a serialised body (quoted, as HTTP wants). */
export function entityTag(serialised: string): string {
	return `"${createHash("sha256").update(serialised).digest("base64url").slice(0, 32)}"`;
}

export function createReferenceCache({
	db,
	ttlMs,
	now = Date.now,
	load = loadReferenceBody,
}: ReferenceCacheOptions): ReferenceCache {
	const slots = new Map<ReferenceResource, Slot>(
		referenceResources.map((resource) => [resource, { entry: undefined, pending: undefined, generation: 0 }]),
	);
	const slotOf = (resource: ReferenceResource): Slot => slots.get(resource) as Slot;

	async function fill(resource: ReferenceResource, slot: Slot): Promise<CachedReference> {
		const generation = slot.generation;
		try {
			// Parsed by the very schema the route declares, so key order and fields are those the framework will send.
			const body = referenceBodySchemas[resource].parse(await load(db, resource));
			const entry: CachedReference = { body, etag: entityTag(JSON.stringify(body)), expiresAt: now() + ttlMs };
			if (slot.generation === generation) slot.entry = entry;
			return entry;
		} finally {
			if (slot.generation === generation) slot.pending = undefined;
		}
	}

	const cache: ReferenceCache = {
		peek<R extends ReferenceResource>(resource: R) {
			const entry = slotOf(resource).entry;
			return entry !== undefined && now() < entry.expiresAt ? (entry as CachedReference<R>) : undefined;
		},
		get<R extends ReferenceResource>(resource: R) {
			const fresh = cache.peek(resource);
			if (fresh !== undefined) return Promise.resolve(fresh);
			const slot = slotOf(resource);
			slot.pending ??= fill(resource, slot);
			return slot.pending as Promise<CachedReference<R>>;
		},
		invalidate(resource) {
			for (const name of resource === undefined ? referenceResources : [resource]) {
				const slot = slotOf(name);
				slot.entry = undefined;
				slot.pending = undefined;
				slot.generation += 1;
			}
		},
	};
	return cache;
}
