// The chart written next to each result JSON: per scenario, each contestant's median ratio to each baseline, the
// interquartile range as a box and the lowest and highest iteration as whiskers. Plain SVG, no dependency.

const width = 880;
const labelWidth = 230;
const plotWidth = width - labelWidth - 40;
const rowHeight = 22;
const colours = ["#1f6feb", "#d29922", "#8957e5", "#2da44e"];

const xmlText = (text) => String(text).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
const fixed = (value) => (Number.isFinite(value) ? value.toFixed(2) : "—");

export function chartSvg(run) {
	const scenarios = run.scenarios.filter((scenario) =>
		Object.values(scenario.contestants).some(
			(entry) => entry.ratios !== undefined && Object.keys(entry.ratios).length > 0,
		),
	);
	// The axis covers every quartile box (whiskers past it are clipped, their value written at the edge), 1.2 at least,
	// 2 at most: a slice taken while the machine stalled must not squash every box into a corner.
	const boxes = scenarios.flatMap((scenario) =>
		Object.values(scenario.contestants).flatMap((entry) =>
			[...Object.values(entry.ratios ?? {}), ...Object.values(entry.cpuRatios ?? {})].map((summary) =>
				Number.isFinite(summary.q3) ? summary.q3 : 0,
			),
		),
	);
	const top = Math.min(2, Math.max(1.2, Math.ceil(Math.max(...boxes) * 1.1 * 10) / 10));
	const x = (ratio) => labelWidth + (Math.min(Math.max(ratio, 0), top) / top) * plotWidth;
	const parts = [];
	let y = 30;
	parts.push(
		`<text x="10" y="20" font-size="14" font-weight="bold">${xmlText(`npm run bench — ${run.startedAt}`)}</text>`,
		`<text x="10" y="${y + 6}" font-size="11" fill="#555">${xmlText(
			`${run.options.rounds} paired iterations of ${run.options.duration} s (${run.options.load}, -c${run.options.connections}); dot: median ratio (hollow: from server CPU per answer), box: quartiles, whiskers: min–max; load average ${fixed(run.machine.loadAverage?.start?.[0])} → ${fixed(run.machine.loadAverage?.end?.[0])}`,
		)}</text>`,
	);
	y += 24;
	for (const scenario of scenarios) {
		const names = Object.keys(scenario.contestants).filter((name) => scenario.contestants[name].ratios !== undefined);
		// One row per baseline and measure: req/s ratio, then the CPU-per-answer ratio (hollow).
		const baselines = scenario.baselines
			.filter((baseline) => names.some((name) => scenario.contestants[name].ratios[baseline] !== undefined))
			.flatMap((baseline) => [
				{ baseline, measure: "ratios", label: `req/s × ${baseline}` },
				{ baseline, measure: "cpuRatios", label: `CPU × ${baseline}` },
			]);
		parts.push(`<text x="10" y="${y + 12}" font-size="13" font-weight="bold">${xmlText(scenario.title)}</text>`);
		y += 18;
		baselines.forEach((series, index) => {
			const legendX = labelWidth + (index % 2) * 300;
			const legendY = y + Math.floor(index / 2) * 14;
			const colour = colours[Math.floor(index / 2) % colours.length];
			parts.push(
				`<rect x="${legendX}" y="${legendY + 3}" width="10" height="10" fill="${series.measure === "ratios" ? colour : "#fff"}" stroke="${colour}"/>`,
				`<text x="${legendX + 14}" y="${legendY + 12}" font-size="11">${xmlText(series.label)}</text>`,
			);
		});
		y += 14 * (Math.ceil(baselines.length / 2) - 1);
		y += 20;
		const plotTop = y;
		for (const name of names) {
			parts.push(
				`<text x="${labelWidth - 8}" y="${y + rowHeight * baselines.length * 0.5 + 4}" font-size="12" text-anchor="end">${xmlText(name)}</text>`,
			);
			baselines.forEach((series, index) => {
				const summary = scenario.contestants[name][series.measure]?.[series.baseline];
				const middle = y + index * rowHeight + rowHeight / 2;
				const colour = colours[Math.floor(index / 2) % colours.length];
				const fill = series.measure === "ratios" ? colour : "#fff";
				if (summary === undefined || !Number.isFinite(summary.median)) return;
				parts.push(
					`<line x1="${x(summary.min)}" x2="${x(summary.max)}" y1="${middle}" y2="${middle}" stroke="${colour}" stroke-width="1.5"/>`,
					`<line x1="${x(summary.min)}" x2="${x(summary.min)}" y1="${middle - 5}" y2="${middle + 5}" stroke="${colour}"/>`,
					`<line x1="${x(summary.max)}" x2="${x(summary.max)}" y1="${middle - 5}" y2="${middle + 5}" stroke="${colour}"/>`,
					`<rect x="${x(summary.q1)}" y="${middle - 5}" width="${Math.max(1, x(summary.q3) - x(summary.q1))}" height="10" fill="${colour}" fill-opacity="0.25" stroke="${colour}"/>`,
					`<circle cx="${x(summary.median)}" cy="${middle}" r="4" fill="${fill}" stroke="${colour}" stroke-width="1.5"/>`,
					`<text x="${Math.min(x(summary.max) + 6, width - 34)}" y="${middle + 4}" font-size="11">${fixed(summary.median)}</text>`,
					...(summary.max > top
						? [
								`<text x="${x(top) - 4}" y="${middle - 4}" font-size="9" text-anchor="end" fill="${colour}">max ${fixed(summary.max)} ›</text>`,
							]
						: []),
				);
			});
			y += rowHeight * Math.max(1, baselines.length) + 6;
		}
		// Axis: ticks every 0.1, a stronger line at 1 (as fast as the baseline).
		const labelEvery = top > 1.5 ? 2 : 1;
		for (let step = 0; step <= Math.round(top * 10); step++) {
			const tick = step / 10;
			const major = step === 10;
			parts.push(
				`<line x1="${x(tick)}" x2="${x(tick)}" y1="${plotTop}" y2="${y}" stroke="${major ? "#000" : "#ddd"}" stroke-width="${major ? 1 : 0.5}"/>`,
			);
			if (step % labelEvery === 0)
				parts.push(
					`<text x="${x(tick)}" y="${y + 12}" font-size="10" text-anchor="middle" fill="#555">${tick.toFixed(1)}</text>`,
				);
		}
		y += 34;
	}
	return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${y}" viewBox="0 0 ${width} ${y}" font-family="sans-serif">\n<rect width="100%" height="100%" fill="#fff"/>\n${parts.join("\n")}\n</svg>\n`;
}
