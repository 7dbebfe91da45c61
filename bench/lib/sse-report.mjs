// The real-time benchmark's report: the markdown tables it prints and the files it writes into bench/results/.
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const benchDir = fileURLToPath(new URL("..", import.meta.url));

const integer = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });
const ms = (value) => (Number.isFinite(value) ? (value < 10 ? value.toFixed(1) : integer.format(value)) : "—");
const range = (figure, format = ms) =>
	figure.min === figure.max
		? format(figure.median)
		: `${format(figure.median)} [${format(figure.min)}–${format(figure.max)}]`;

export function realtimeMarkdown(run) {
	const { settings, machine } = run;
	const lines = [
		`Real-time benchmark of ${run.startedAt} — ${machine.cpus} CPU(s) (${machine.cpuModel}), Node ${machine.node}, ` +
			`${integer.format(settings.clients)} SSE clients (one user each, one guild), ${settings.seconds} s steps, ` +
			`${settings.rounds} rounds climbing ${settings.rates.join(", ")} events/s; held: every client got every event, ` +
			`no stream closed, p99 ≤ ${integer.format(settings.p99LimitMs)} ms (brisk: p99 ≤ ${integer.format(settings.briskP99Ms)} ms at every step up to it). ` +
			`${machine.pinned ? "Servers on CPU 1, clients and publisher on CPU 0" : "Not pinned"}; PostgreSQL unpinned. ` +
			`Load average (1 min) ${machine.loadAverage.start.toFixed(1)} at the start, ${machine.loadAverage.end.toFixed(1)} at the end. ` +
			"Medians [lowest–highest].",
		"",
		"| scenario | publisher | highest rate held, events/s | brisk up to, events/s | at the rate held: deliveries/s | p50 ms | p99 ms | server CPU % | server RSS MB, idle → at it |",
		"|---|---|---:|---:|---:|---:|---:|---:|---:|",
	];
	for (const scenario of run.scenarios) {
		if (scenario.skipped !== undefined) {
			lines.push(`| ${scenario.title} | | skipped: ${scenario.skipped} | | | | | | |`);
			continue;
		}
		// With an even number of rounds the median may fall between two rates: the figures of the lower one.
		const at = scenario.rates.findLast((entry) => entry.rate <= scenario.heldRate.median);
		const publisher = scenario.publisher.split(" (")[0];
		lines.push(
			`| ${scenario.title} | ${publisher} | ${range(scenario.heldRate, integer.format)} | ${range(scenario.briskRate, integer.format)} | ` +
				(at === undefined
					? "| | | | |"
					: `${integer.format(at.deliveriesPerSecond.median)} | ${range(at.p50Ms)} | ${range(at.p99Ms)} | ${integer.format(at.serverCpu.median)} | ${integer.format(Math.max(...scenario.idleRssMb))} → ${integer.format(at.serverRssMb)} |`),
		);
	}
	lines.push(
		"",
		"| scenario | events/s | steps held | deliveries/s | p50 ms | p99 ms | server CPU % | clients' CPU % | others' CPU %, servers' core / clients' | not held because |",
		"|---|---:|---:|---:|---:|---:|---:|---:|---:|---|",
	);
	for (const scenario of run.scenarios) {
		if (scenario.skipped !== undefined) continue;
		for (const entry of scenario.rates) {
			lines.push(
				`| ${scenario.title} | ${entry.rate} | ${entry.held}/${entry.steps} | ${integer.format(entry.deliveriesPerSecond.median)} | ` +
					`${range(entry.p50Ms)} | ${range(entry.p99Ms)} | ${integer.format(entry.serverCpu.median)} | ${integer.format(entry.clientCpu.median)} | ` +
					`${entry.othersCpu === undefined ? "—" : `${integer.format(entry.othersCpu.servers.median)} / ${integer.format(entry.othersCpu.clients.median)}`} | ` +
					`${[...(entry.repeatedBusy > 0 ? [`${entry.repeatedBusy} lost on a busy machine, run again`] : []), ...new Set(entry.notHeldBecause)].join("; ")} |`,
			);
		}
	}
	const reopened = run.scenarios.filter((scenario) => scenario.reopenedAfterOpening > 0);
	if (reopened.length > 0)
		lines.push(
			"",
			`Streams the hub closed (session-ended) just after they opened, reopened before measuring: ${reopened
				.map((scenario) => `${scenario.title} ${scenario.reopenedAfterOpening}`)
				.join(", ")}.`,
		);
	return lines.join("\n");
}

/** Writes `realtime-<timestamp>.json` and `.md` into bench/results/; returns the JSON's path. */
export async function writeRealtimeResults(run, markdown) {
	const folder = join(benchDir, "results");
	await mkdir(folder, { recursive: true });
	const base = join(folder, `realtime-${run.startedAt.replace(/[:.]/g, "-")}`);
	await writeFile(`${base}.json`, `${JSON.stringify(run, null, "\t")}\n`);
	await writeFile(`${base}.md`, `${markdown}\n`);
	return `${base}.json`;
}
