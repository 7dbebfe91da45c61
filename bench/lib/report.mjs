// Turns a benchmark run into the markdown table printed at the end of `npm run bench`.

const integer = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });
const fmt = (value, digits = 2) => (Number.isFinite(value) ? value.toFixed(digits) : "—");

export function markdownReport(run) {
	const lines = [];
	const { options, machine } = run;
	lines.push(
		`Benchmark of ${run.startedAt} — ${machine.cpus} CPU(s) (${machine.cpuModel}), Node ${machine.node}, ` +
			`${options.connections} connections, ${options.duration} s × ${options.rounds} rounds, ${machine.pinned ? "server on CPU 1, load on CPU 0" : "not pinned"}`,
		"",
		"| scenario | contestant | req/s (median) | p50 ms | p99 ms | vs baseline | spread | notes |",
		"|---|---|---:|---:|---:|---:|---:|---|",
	);
	for (const scenario of run.scenarios) {
		if (
			scenario.skipped !== undefined &&
			Object.values(scenario.contestants).every((entry) => entry.requestsPerSecond === undefined)
		) {
			lines.push(`| ${scenario.title} | — | | | | | | skipped: ${scenario.skipped} |`);
			continue;
		}
		for (const [name, entry] of Object.entries(scenario.contestants)) {
			if (entry.requestsPerSecond === undefined) {
				lines.push(`| ${scenario.title} | ${name} | | | | | | skipped: ${entry.skipped} |`);
				continue;
			}
			const ratio = entry.ratio === undefined ? "—" : `${fmt(entry.ratio * 100, 1)} % of ${scenario.baseline}`;
			const notes = entry.unexpected > 0 ? `${entry.unexpected} unexpected answers` : "";
			lines.push(
				`| ${scenario.title} | ${name} | ${integer.format(entry.requestsPerSecond)} | ${fmt(entry.latencyP50)} | ${fmt(entry.latencyP99)} | ${ratio} | ±${fmt(entry.spread * 50, 1)} % | ${notes} |`,
			);
		}
	}
	const compared = run.scenarios.filter((scenario) => scenario.buildRatio !== undefined);
	if (compared.length > 0) {
		lines.push(
			"",
			"| scenario | this build vs BENCH_BASELINE_DIR (median of paired rounds) | lowest round | highest round |",
			"|---|---:|---:|---:|",
		);
		for (const { title, buildRatio } of compared) {
			const percent = (value) => `${fmt(value * 100, 1)} %`;
			lines.push(
				`| ${title} | ${percent(buildRatio.median)} | ${percent(buildRatio.min)} | ${percent(buildRatio.max)} |`,
			);
		}
	}
	if (run.inject !== undefined) {
		lines.push("", "| app.inject (no socket) | ns / request | requests / s on one core |", "|---|---:|---:|");
		for (const [id, entry] of Object.entries(run.inject)) {
			lines.push(`| ${id} | ${integer.format(entry.nsPerRequest)} | ${integer.format(1e9 / entry.nsPerRequest)} |`);
		}
	}
	return lines.join("\n");
}
