// `npm run sync:dofusdb`: migrates and seeds, syncs classes, servers and dungeons from DOFUSDB_URL, prints the counts.
//
// It runs the sync in this process, as the `dofusdb.sync` job does in a worker. A change is announced with NOTIFY when
// it commits: on PostgreSQL every running API instance drops its cached lists at once. On PGlite the data directory
// is the server's while it runs: stop it first, or start a sync from the API (POST /api/admin/sync/dofusdb).
import { Presets, SingleBar } from "cli-progress";
import { pino } from "pino";
import { loadConfig } from "../config.js";
import { runWithDatabase } from "../db/cli/run.js";
import { migrateDatabase } from "../db/migrate.js";
import { seedReferenceData } from "../db/seed/reference.js";
import { createLogger } from "../logger.js";
import { referenceResources } from "../services/reference-data.js";
import { type SyncProgress, type SyncReport, syncDofusDb } from "./dofusdb.js";

/** A plain-text table of the counts, one line per resource. */
export function formatReport(report: SyncReport): string {
	const columns = ["created", "updated", "unchanged", "rejected", "absent"] as const;
	const lines = [["resource", ...columns]];
	for (const resource of referenceResources)
		lines.push([resource, ...columns.map((column) => String(report[resource][column]))]);
	return lines
		.map((cells) => cells.map((cell, index) => (index === 0 ? cell.padEnd(10) : cell.padStart(10))).join(""))
		.join("\n");
}

function progressBar(): { onProgress?: (progress: SyncProgress) => void; stop: () => void } {
	if (!process.stderr.isTTY) return { stop: () => {} };
	const bar = new SingleBar(
		{ format: "{resource} {stage} [{bar}] {value}/{total}", stream: process.stderr, hideCursor: true },
		Presets.shades_classic,
	);
	let started = false;
	return {
		onProgress: ({ resource, stage, done, total }) => {
			if (!started) bar.start(total, done, { resource, stage });
			started = true;
			bar.setTotal(total);
			bar.update(done, { resource: resource.padEnd(8), stage: stage.padEnd(8) });
		},
		stop: () => {
			if (started) bar.stop();
			started = false;
		},
	};
}

await runWithDatabase(async (handle) => {
	const config = loadConfig();
	// stdout carries the report; logs (rejected records, retries) go to stderr.
	const logger = createLogger(config, pino.destination(2));
	await migrateDatabase(handle);
	// The shipped rows first, so that the sync links them instead of creating duplicates.
	await seedReferenceData(handle.db);
	const bar = progressBar();
	try {
		const report = await syncDofusDb({
			db: handle.db,
			baseUrl: config.DOFUSDB_URL,
			timeoutMs: config.DOFUSDB_TIMEOUT_MS,
			retries: config.DOFUSDB_RETRIES,
			onProgress: bar.onProgress,
			logger,
		});
		bar.stop();
		return `${formatReport(report)}\nDofusDB sync from ${config.DOFUSDB_URL}: ${report.changed ? "reference data changed" : "nothing changed"}`;
	} finally {
		bar.stop();
	}
});
