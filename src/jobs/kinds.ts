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

export const jobKinds = [dofusDbSyncJob, mailDeliverJob, maintenanceCleanupJob] as const;
