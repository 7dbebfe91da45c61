// The job kinds of Dofus Manager: what each accepts and how it is retried. Workers (src/workers) run them.
import { z } from "zod";
import { defineJobKind } from "./job-kind.js";

/** Fetches classes, servers and dungeons from DofusDB; one at a time, whoever asked. */
export const dofusDbSyncJob = defineJobKind({
	name: "dofusdb.sync",
	payload: z.object({}).strict(),
	priority: 0,
	retryLimit: 2,
	// Short on purpose, as for every kind: a job whose worker was killed is retried after this delay too, and must run
	// again within 30 s (10 s heartbeat + supervise pass + this). The sync retries DofusDB requests itself meanwhile.
	retryDelaySeconds: 5,
	timeoutSeconds: 15 * 60,
	singleton: true,
});

/** Delivers one outbox row; enqueued in the transaction that writes it. */
export const mailDeliverJob = defineJobKind({
	name: "mail.deliver",
	payload: z.object({ outboxId: z.number().int().positive() }).strict(),
	// A password-reset code is waited for: mail goes before maintenance and syncs.
	priority: 10,
	retryLimit: 8,
	// 2.5–5 s, then doubling: about 20 minutes of tries in all.
	retryDelaySeconds: 5,
	// Ten minutes at most between tries: a password-reset code lives 30 minutes, and later tries would mail a dead code.
	retryDelayMaxSeconds: 10 * 60,
	timeoutSeconds: 60,
});

/** Deletes what has expired: sessions, tokens, login attempts, old outbox rows and job records. */
export const maintenanceCleanupJob = defineJobKind({
	name: "maintenance.cleanup",
	payload: z.object({}).strict(),
	priority: -10,
	retryLimit: 2,
	retryDelaySeconds: 5,
	timeoutSeconds: 10 * 60,
	singleton: true,
});

/** Creates the characters of one uploaded CSV (the user's file `fileId`), one transaction per row; deletes the file. */
export const characterImportJob = defineJobKind({
	name: "characters.import",
	payload: z.object({ fileId: z.uuid(), userId: z.number().int().positive() }).strict(),
	// Someone watches its progress: before syncs and the clean-up, after mail (a reset code is waited for more).
	priority: 5,
	retryLimit: 2,
	retryDelaySeconds: 5,
	// 1,000 rows of one short transaction each take seconds; the margin is for a database under load.
	timeoutSeconds: 5 * 60,
});

export const jobKinds = [dofusDbSyncJob, mailDeliverJob, maintenanceCleanupJob, characterImportJob] as const;
