// Turns a benchmark run into the markdown table printed at the end of `npm run bench`.

const integer = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });
const fmt = (value, digits = 2) => (Number.isFinite(value) ? value.toFixed(digits) : "—");

const ratioCell = (summary) =>
	summary === undefined ? "—" : `${fmt(summary.median)} (${fmt(summary.min)}–${fmt(summary.max)})`;

export function markdownReport(run) {
	const lines = [];
	const { options, machine } = run;
	const load = machine.loadAverage;
	const baselines = [...new Set(run.scenarios.flatMap((scenario) => scenario.baselines ?? []))];
	lines.push(
		`Benchmark of ${run.startedAt} — ${machine.cpus} CPU(s) (${machine.cpuModel}), Node ${machine.node}, ` +
			`${options.load} ${options.load === "wrk" ? "-t1 " : ""}-c${options.connections}, ${options.rounds} iterations of ${options.duration} s slices in rotating order, ` +
			`${machine.pinned ? "server on CPU 1, load on CPU 0" : "not pinned"}, load average ${fmt(load?.start?.[0])} at the start, ${fmt(load?.end?.[0])} at the end`,
		"",
		"Ratios: the contestant's req/s over the baseline's in the same iteration (CPU ×: the baseline's server CPU time per answer over the contestant's); median (min–max) over the iterations.",
		"",
		`| scenario | contestant | req/s (median) | p50 ms | p99 ms | ${baselines.map((name) => `req/s × ${name}`).join(" | ")} | server CPU µs/req | ${baselines.map((name) => `CPU × ${name}`).join(" | ")} | notes |`,
		`|---|---|---:|---:|---:|${baselines.map(() => "---:|").join("")}---:|${baselines.map(() => "---:|").join("")}---|`,
	);
	const blanks = [...baselines, "", ...baselines].map(() => "").join(" | ");
	for (const scenario of run.scenarios) {
		if (
			scenario.skipped !== undefined &&
			Object.values(scenario.contestants).every((entry) => entry.requestsPerSecond === undefined)
		) {
			lines.push(`| ${scenario.title} | — | | | | ${blanks} | skipped: ${scenario.skipped} |`);
			continue;
		}
		for (const [name, entry] of Object.entries(scenario.contestants)) {
			if (entry.requestsPerSecond === undefined) {
				lines.push(`| ${scenario.title} | ${name} | | | | ${blanks} | skipped: ${entry.skipped} |`);
				continue;
			}
			const ratios = baselines.map((baseline) => ratioCell(entry.ratios?.[baseline]));
			const cpuRatios = baselines.map((baseline) => ratioCell(entry.cpuRatios?.[baseline]));
			const notes = entry.unexpected > 0 ? `${entry.unexpected} unexpected answers` : "";
			lines.push(
				`| ${scenario.title} | ${name} | ${integer.format(entry.requestsPerSecond)} | ${fmt(entry.latencyP50)} | ${fmt(entry.latencyP99)} | ${ratios.join(" | ")} | ${fmt(entry.cpuMicrosPerRequest, 1)} | ${cpuRatios.join(" | ")} | ${notes} |`,
			);
		}
	}
	const compared = run.scenarios.filter((scenario) => scenario.buildRatio !== undefined);
	if (compared.length > 0) {
		lines.push(
			"",
			"| scenario | this build vs BENCH_BASELINE_DIR: req/s (median of paired iterations) | lowest | highest | CPU per answer (baseline's / this build's) |",
			"|---|---:|---:|---:|---:|",
		);
		for (const { title, buildRatio, buildCpuRatio } of compared) {
			const percent = (value) => `${fmt(value * 100, 1)} %`;
			lines.push(
				`| ${title} | ${percent(buildRatio.median)} | ${percent(buildRatio.min)} | ${percent(buildRatio.max)} | ${ratioCell(buildCpuRatio)} |`,
			);
		}
	}
	if (run.inject !== undefined) {
		lines.push(
			"",
			"| no socket (CPU time) | app.inject: ns / request | app.handle, stub socket: ns / request |",
			"|---|---:|---:|",
		);
		for (const [id, entry] of Object.entries(run.inject)) {
			lines.push(`| ${id} | ${integer.format(entry.nsPerRequest)} | ${integer.format(entry.handleNsPerRequest)} |`);
		}
	}
	return lines.join("\n");
}
