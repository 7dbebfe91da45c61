// Background-job queue depth by kind and state, counted at scrape time (one grouped query over pg-boss's table).
import type { Registry } from "prom-client";
import type { JobQueue } from "../jobs/queue.js";
import { registerCollected, type Sample } from "./collected.js";
import { withinTimeout } from "./database.js";

/** The states that say how far behind the workers are; finished jobs (kept for a while) are left out. */
const pendingStates = ["queued", "active", "retrying"] as const;

export function recordJobMetrics(registry: Registry, jobs: Pick<JobQueue, "kinds" | "store">): void {
	registerCollected(registry, {
		name: "dofus_manager_jobs",
		help: "Background jobs waiting or running, by kind and state (queued, active, retrying), across every worker.",
		type: "gauge",
		collect: async () => {
			const stats = await withinTimeout(() => jobs.store.stats(jobs.kinds.map((kind) => kind.name)));
			if (stats === undefined) return [];
			const samples: Sample[] = [];
			for (const [kind, counts] of Object.entries(stats))
				for (const state of pendingStates) samples.push({ labels: { kind, state }, value: counts[state] });
			return samples;
		},
	});
}
