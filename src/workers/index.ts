// Starts this process's workers: one handler per job kind, the cron schedules (pg-boss fires each tick once across
// every worker of the database), and the deletion of deleted files' objects; resolves with what stops the latter.
import type { Logger } from "pino";
import type { Config } from "../config.js";
import type { DatabaseHandle } from "../db/index.js";
import { characterImportJob, dofusDbSyncJob, mailDeliverJob, maintenanceCleanupJob } from "../jobs/kinds.js";
import type { JobQueue } from "../jobs/queue.js";
import { createCharacterImporter } from "../services/character-import.js";
import { createCharacterService } from "../services/characters.js";
import { cleanupPolicy, createCleanupService } from "../services/cleanup.js";
import { createFileCleanup } from "../services/file-cleanup.js";
import { createFileDeletions, followFileDeletions } from "../services/file-deletions.js";
import { createFileService } from "../services/files.js";
import { mailTransportFromConfig } from "../services/mail-transport.js";
import { createUploadQuota } from "../services/quota.js";
import { type Clock, systemClock } from "../services/settings.js";
import type { ObjectStorage } from "../storage/index.js";
import type { FetchFunction } from "../sync/dofusdb.js";
import { characterImportHandler } from "./characters-import.js";
import { dofusDbSyncHandler } from "./dofusdb-sync.js";
import { mailDeliverHandler } from "./mail-deliver.js";
import { maintenanceCleanupHandler } from "./maintenance-cleanup.js";

export interface WorkerDependencies {
	config: Config;
	logger: Logger;
	database: DatabaseHandle;
	jobs: JobQueue;
	/** Tests point the sync at a fake DofusDB. Default: the global fetch. */
	fetch?: FetchFunction;
	/** The time the handlers write and compare (sent_at, the clean-up's cut-offs). Default: the system clock. */
	clock?: Clock;
	/**
	 * Where uploaded files live. With it, the objects of deleted files are deleted as their deletions commit, the
	 * clean-up also removes files and objects that lost each other (file-cleanup.ts), and character imports run (they
	 * read their CSV from it).
	 */
	storage?: ObjectStorage;
}

/** `off` disables a schedule; anything else must be a cron expression pg-boss accepts (checked at start). */
async function scheduleOrClear(
	jobs: JobQueue,
	kind: typeof dofusDbSyncJob | typeof maintenanceCleanupJob,
	cron: string,
) {
	if (cron === "off") {
		await jobs.unschedule(kind);
		return;
	}
	try {
		await jobs.schedule(kind, cron, {});
	} catch (error) {
		throw new Error(`invalid cron expression "${cron}" for ${kind.name}: ${(error as Error).message}`);
	}
}

export async function startWorkers({
	config,
	logger,
	database,
	jobs,
	fetch,
	clock = systemClock,
	storage,
}: WorkerDependencies): Promise<() => Promise<void>> {
	const concurrency = config.WORKER_CONCURRENCY;
	const db = database.db;
	await jobs.work(dofusDbSyncJob, dofusDbSyncHandler({ db, config, ...(fetch ? { fetch } : {}) }));
	// SMTP when SMTP_URL is set, else a log line per mail.
	const transport = mailTransportFromConfig(config, logger.child({ component: "mail" }));
	await jobs.work(mailDeliverJob, mailDeliverHandler({ db, transport, now: clock }), { concurrency });
	// A singleton kind: one run at a time across every worker, so one handler slot is enough.
	const cleanup = createCleanupService({ db, policy: cleanupPolicy(config), now: clock });
	let stopFollowing: () => Promise<void> = async () => {};
	if (storage === undefined) {
		await jobs.work(maintenanceCleanupJob, maintenanceCleanupHandler({ cleanup }));
	} else {
		const filesLogger = logger.child({ component: "files" });
		const deletions = createFileDeletions({ db, storage, logger: filesLogger });
		const files = createFileCleanup({ db, storage, deletions, now: clock, logger: filesLogger });
		await jobs.work(maintenanceCleanupJob, maintenanceCleanupHandler({ cleanup, files }));
		stopFollowing = await followFileDeletions(database, deletions, filesLogger);
		// Characters created here tell every instance's user cache by NOTIFY; this process holds none of its own.
		const fileService = createFileService({
			db,
			storage,
			quota: createUploadQuota(config.UPLOAD_QUOTA_BYTES),
			urlSeconds: config.SIGNED_URL_TTL_SECONDS,
		});
		const importer = createCharacterImporter({ db, characters: createCharacterService(db) });
		await jobs.work(characterImportJob, characterImportHandler({ files: fileService, importer }), { concurrency });
	}
	await scheduleOrClear(jobs, dofusDbSyncJob, config.DOFUSDB_SYNC_CRON);
	await scheduleOrClear(jobs, maintenanceCleanupJob, config.CLEANUP_CRON);
	logger.info(
		{ kinds: jobs.kinds.map((kind) => kind.name), concurrency, syncCron: config.DOFUSDB_SYNC_CRON },
		"workers started",
	);
	return stopFollowing;
}
