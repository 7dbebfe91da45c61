// The DofusDB sync: fetches classes, servers and dungeons, validates each record, upserts all three in one transaction.
//
// Ids. Our ids stay ours (characters, teams and progressions refer to them); each row's `dofusdb_id` says which
// DofusDB record it mirrors. A record is matched to the row with its `dofusdb_id`, else to a not-yet-linked row whose
// name is the same once accents and case are ignored ("Crâ" is our seeded "Cra"), which links it; otherwise it becomes
// a new row with the next free id. The shipped classes carry their DofusDB ids already (1–18 are the same; DofusDB's
// 19 is "Commun", the shared spells, not a class, so our Forgelance 19 is their 20). Rows that the API no longer
// lists are never deleted, only counted as `absent`: characters may refer to them.
//
// The API shape we expect is documented in ./dofusdb-client.ts.
import { sql } from "drizzle-orm";
import type { Logger } from "pino";
import { z } from "zod";
import { type Executor, queryRows, type Transaction } from "../db/index.js";
import { classes, dungeons, servers } from "../db/schema/index.js";
import type { ReferenceCache } from "../services/reference-cache.js";
import { announceReferenceChange } from "../services/reference-changes.js";
import { type ReferenceResource, referenceResources } from "../services/reference-data.js";
import { type FetchFunction, fetchAllRecords } from "./dofusdb-client.js";

export { DofusDbError, type FetchFunction } from "./dofusdb-client.js";

export interface SyncCounts {
	created: number;
	updated: number;
	unchanged: number;
	/** Records that failed validation (or would clash with another row's name): logged with id and reason, skipped. */
	rejected: number;
	/** Our rows that no record matched; kept as they are. */
	absent: number;
}

export type SyncReport = Record<ReferenceResource, SyncCounts> & {
	/** True when a row was created or updated: the reference cache has been (or must be) invalidated. */
	changed: boolean;
};

export interface SyncProgress {
	resource: ReferenceResource;
	stage: "fetching" | "writing";
	done: number;
	total: number;
}

export interface SyncOptions {
	db: Executor;
	baseUrl: string;
	/** Default: the global fetch. */
	fetch?: FetchFunction;
	timeoutMs?: number;
	retries?: number;
	retryDelayMs?: number;
	pageSize?: number;
	onProgress?: (progress: SyncProgress) => void;
	logger?: Pick<Logger, "info" | "warn">;
	/** Invalidated when the sync changed anything, besides the change announced to every instance (tests pass one). */
	referenceCache?: Pick<ReferenceCache, "invalidate">;
	/** Checked between pages and before writing: an aborted sync stops and writes nothing. */
	signal?: AbortSignal;
}

/** One validated record, in our terms. */
interface Incoming {
	dofusdbId: number;
	name: string;
	level: number | null;
}

interface Row extends Record<string, unknown> {
	id: number;
	name: string;
	level: number | null;
	dofusdbId: number | null;
}

const label = z.string().trim().min(1).max(100);
// French first (our names are French), English when a record has no French name.
const localized = z
	.object({ fr: label.optional(), en: label.optional() })
	.transform((name) => name.fr ?? name.en)
	.pipe(z.string({ error: "has neither a French nor an English name" }));
const dofusdbId = z
	.number()
	.int()
	.positive()
	.max(2 ** 31 - 1);

const recordSchemas: Record<ReferenceResource, z.ZodType<Incoming>> = {
	classes: z
		.object({ id: dofusdbId, shortName: localized.optional(), name: localized.optional() })
		.refine((breed) => breed.id !== 19, "is DofusDB's shared-spells breed (Commun), not a playable class")
		.transform((breed) => ({ dofusdbId: breed.id, name: breed.shortName ?? breed.name, level: null }))
		.pipe(z.object({ dofusdbId, name: z.string({ error: "has no shortName" }), level: z.null() })),
	servers: z
		.object({ id: dofusdbId, name: localized })
		.transform((server) => ({ dofusdbId: server.id, name: server.name, level: null })),
	dungeons: z
		.object({ id: dofusdbId, name: localized, optimalPlayerLevel: z.number().int().min(1).max(200) })
		.transform((dungeon) => ({ dofusdbId: dungeon.id, name: dungeon.name, level: dungeon.optimalPlayerLevel })),
};

const paths: Record<ReferenceResource, string> = { classes: "/breeds", servers: "/servers", dungeons: "/dungeons" };
const tables = { classes, servers, dungeons } as const;

/** Accents, case and surrounding spaces ignored: "Crâ" and "cra" are one name. */
const comparable = (name: string) => name.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase().trim();

const silent = { info: () => {}, warn: () => {} };

function describeIssues(error: z.ZodError): string {
	return error.issues
		.map((issue) => (issue.path.length > 0 ? `${issue.path.join(".")}: ${issue.message}` : issue.message))
		.join("; ");
}

function rawId(record: unknown): unknown {
	return typeof record === "object" && record !== null && "id" in record ? (record as { id: unknown }).id : undefined;
}

export async function syncDofusDb(options: SyncOptions): Promise<SyncReport> {
	const logger = options.logger ?? silent;
	const rejected: Record<ReferenceResource, number> = { classes: 0, servers: 0, dungeons: 0 };
	const reject = (resource: ReferenceResource, id: unknown, reason: string) => {
		rejected[resource] += 1;
		logger.warn({ resource, dofusdbId: id, reason }, "DofusDB record rejected");
	};

	// Network first, outside the transaction: no lock is held while a slow API is retried.
	const incoming = {} as Record<ReferenceResource, Incoming[]>;
	for (const resource of referenceResources) {
		const records = await fetchAllRecords(paths[resource], {
			baseUrl: options.baseUrl,
			fetch: options.fetch ?? globalThis.fetch,
			timeoutMs: options.timeoutMs ?? 10_000,
			retries: options.retries ?? 3,
			retryDelayMs: options.retryDelayMs ?? 250,
			pageSize: options.pageSize ?? 50,
			onPage: (done, total) => {
				options.signal?.throwIfAborted();
				options.onProgress?.({ resource, stage: "fetching", done, total });
			},
			onRetry: (url, attempt, reason) => logger.warn({ url, attempt, reason }, "DofusDB request failed, retrying"),
		});
		const seen = new Set<number>();
		incoming[resource] = [];
		for (const record of records) {
			const parsed = recordSchemas[resource].safeParse(record);
			if (!parsed.success) reject(resource, rawId(record), describeIssues(parsed.error));
			else if (seen.has(parsed.data.dofusdbId)) reject(resource, parsed.data.dofusdbId, "appears twice in the API");
			else {
				seen.add(parsed.data.dofusdbId);
				incoming[resource].push(parsed.data);
			}
		}
	}

	options.signal?.throwIfAborted();
	const report = await options.db.transaction(async (tx) => {
		// Two syncs at once would hand out the same new ids: the second waits for the first.
		await tx.execute(sql`select pg_advisory_xact_lock(hashtext('dofusdb-sync'))`);
		const counts = {} as Record<ReferenceResource, SyncCounts>;
		for (const resource of referenceResources) {
			counts[resource] = await upsert(
				tx,
				resource,
				incoming[resource],
				(id, reason) => reject(resource, id, reason),
				options.onProgress,
			);
			counts[resource].rejected = rejected[resource];
		}
		const changedResources = referenceResources.filter(
			(resource) => counts[resource].created + counts[resource].updated > 0,
		);
		// Delivered at commit to every API instance listening and to clients (`reference.updated`), never for a rollback;
		// last in the transaction, as an event's publication must be (services/reference-changes.ts).
		if (changedResources.length > 0) await announceReferenceChange(tx, changedResources);
		return counts;
	});

	const changed = referenceResources.some((resource) => report[resource].created + report[resource].updated > 0);
	if (changed) options.referenceCache?.invalidate();
	logger.info({ ...report, changed }, "DofusDB sync done");
	return { ...report, changed };
}

/** Writes one resource's records; returns its counts (rejected is filled by the caller). */
async function upsert(
	tx: Transaction,
	resource: ReferenceResource,
	records: Incoming[],
	reject: (id: number, reason: string) => void,
	onProgress: SyncOptions["onProgress"],
): Promise<SyncCounts> {
	const table = tables[resource];
	const hasLevel = resource === "dungeons";
	const rows = await queryRows<Row>(
		tx,
		sql`select id, name, ${hasLevel ? sql.raw("level") : sql.raw("null::int")} as level, dofusdb_id as "dofusdbId" from ${table} order by id`,
	);
	const byDofusId = new Map(rows.filter((row) => row.dofusdbId !== null).map((row) => [row.dofusdbId, row]));
	const unlinkedByName = new Map(
		rows.filter((row) => row.dofusdbId === null).map((row) => [comparable(row.name), row]),
	);
	// Who holds each name once the writes so far are applied: a record may not take another row's name.
	const nameHolder = new Map(rows.map((row) => [comparable(row.name), row.id]));
	let nextId = rows.reduce((max, row) => Math.max(max, row.id), 0) + 1;

	const counts: SyncCounts = { created: 0, updated: 0, unchanged: 0, rejected: 0, absent: 0 };
	const matched = new Set<number>();
	const toCreate: Array<Incoming & { id: number }> = [];
	let done = 0;
	for (const record of records) {
		done += 1;
		let row = byDofusId.get(record.dofusdbId) ?? unlinkedByName.get(comparable(record.name));
		if (row !== undefined && matched.has(row.id)) row = undefined;
		const id = row?.id ?? nextId;
		const holder = nameHolder.get(comparable(record.name));
		if (holder !== undefined && holder !== id) {
			reject(record.dofusdbId, `its name "${record.name}" is already used by ${resource} id ${holder}`);
			continue;
		}
		if (row === undefined) {
			toCreate.push({ ...record, id });
			nextId += 1;
		} else {
			matched.add(row.id);
			if (row.name === record.name && row.level === record.level && row.dofusdbId === record.dofusdbId) {
				counts.unchanged += 1;
				continue;
			}
			nameHolder.delete(comparable(row.name));
			await tx.execute(
				hasLevel
					? sql`update ${table} set name = ${record.name}, level = ${record.level}, dofusdb_id = ${record.dofusdbId}, synced_at = now() where id = ${id}`
					: sql`update ${table} set name = ${record.name}, dofusdb_id = ${record.dofusdbId}, synced_at = now() where id = ${id}`,
			);
			counts.updated += 1;
		}
		nameHolder.set(comparable(record.name), id);
		if (done % 50 === 0) onProgress?.({ resource, stage: "writing", done, total: records.length });
	}
	if (toCreate.length > 0) {
		const values = toCreate.map((record) =>
			hasLevel
				? sql`(${record.id}, ${record.name}, ${record.level}, ${record.dofusdbId}, now())`
				: sql`(${record.id}, ${record.name}, ${record.dofusdbId}, now())`,
		);
		const columns = hasLevel
			? sql.raw("(id, name, level, dofusdb_id, synced_at)")
			: sql.raw("(id, name, dofusdb_id, synced_at)");
		await tx.execute(sql`insert into ${table} ${columns} values ${sql.join(values, sql`, `)}`);
		counts.created = toCreate.length;
	}
	counts.absent = rows.filter((row) => !matched.has(row.id)).length;
	onProgress?.({ resource, stage: "writing", done: records.length, total: records.length });
	return counts;
}
