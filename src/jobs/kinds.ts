// The job kinds of Dofus Manager: what each accepts and how it is retried. Workers (src/workers) run them.
import { z } from "zod";
import { defineJobKind } from "./job-kind.js";

/** Fetches classes, servers and dungeons from DofusDB; one at a time, whoever asked. */
export const dofusDbSyncJob = defineJobKind({
	name: "dofusdb.sync",
	payload: z.object({}).strict(),
	priority: 0,
	retryLimit: 2,
	retryDelaySeconds: 60,
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
	retryDelaySeconds: 10,
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
	retryDelaySeconds: 60,
	timeoutSeconds: 10 * 60,
	singleton: true,
});

export const jobKinds = [dofusDbSyncJob, mailDeliverJob, maintenanceCleanupJob] as const;
