// The `dofusdb.sync` job: the DofusDB sync in a worker, its progress stored for the status API.
import type { Config } from "../config.js";
import type { Database } from "../db/index.js";
import type { dofusDbSyncJob } from "../jobs/kinds.js";
import type { JobContext } from "../jobs/queue.js";
import { referenceResources } from "../services/reference-data.js";
import { type FetchFunction, type SyncProgress, syncDofusDb } from "../sync/dofusdb.js";

export interface DofusDbSyncDependencies {
	db: Database;
	config: Pick<Config, "DOFUSDB_URL" | "DOFUSDB_TIMEOUT_MS" | "DOFUSDB_RETRIES">;
	/** Default: the global fetch. */
	fetch?: FetchFunction;
	/** Progress reports stored at most this often, in milliseconds (each is a write). Default 250. */
	progressIntervalMs?: number;
}

/** The sync's six steps, in order: each resource is fetched, then written. */
const steps = referenceResources.flatMap((resource) => [`${resource} fetching`, `${resource} writing`]);

/** One line a person reads: "servers: fetching 50/120". */
function describe(progress: SyncProgress): string {
	return `${progress.resource}: ${progress.stage} ${progress.done}/${progress.total}`;
}

export function dofusDbSyncHandler({ db, config, fetch, progressIntervalMs = 250 }: DofusDbSyncDependencies) {
	return async (job: JobContext<typeof dofusDbSyncJob>) => {
		// The sync reports synchronously; the reports are written one after another, the latest winning.
		let pending: Promise<void> = Promise.resolve();
		let failure: unknown;
		let lastWrite = Number.NEGATIVE_INFINITY;
		const report = (progress: SyncProgress, force = false) => {
			const now = performance.now();
			if (!force && now - lastWrite < progressIntervalMs) return;
			lastWrite = now;
			// `done` counts the steps finished; the message says where the current one is.
			const done = steps.indexOf(`${progress.resource} ${progress.stage}`) + (progress.done >= progress.total ? 1 : 0);
			pending = pending.then(() =>
				job.progress(done, steps.length, describe(progress)).catch((error: unknown) => {
					failure ??= error;
				}),
			);
		};
		const controller = new AbortController();
		const signal = AbortSignal.any([job.signal, controller.signal]);
		const result = await syncDofusDb({
			db,
			baseUrl: config.DOFUSDB_URL,
			timeoutMs: config.DOFUSDB_TIMEOUT_MS,
			retries: config.DOFUSDB_RETRIES,
			fetch: async (input, init) => {
				if (failure !== undefined) controller.abort(failure);
				return (fetch ?? globalThis.fetch)(input, { ...init, signal: combine(init?.signal, signal) });
			},
			signal,
			logger: job.logger,
			onProgress: (progress) => report(progress, progress.done >= progress.total),
		});
		await pending;
		if (failure !== undefined) throw failure;
		await job.progress(
			steps.length,
			steps.length,
			result.changed ? "done: reference data changed" : "done: nothing changed",
		);
		return result;
	};
}

function combine(first: AbortSignal | null | undefined, second: AbortSignal): AbortSignal {
	return first ? AbortSignal.any([first, second]) : second;
}
