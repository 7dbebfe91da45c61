// Small statistics helpers for benchmark samples.

const finite = (values) => values.filter((value) => Number.isFinite(value)).sort((a, b) => a - b);

/** The value below which a share `q` (0–1) of the sorted values lie, interpolated between neighbours. */
export function quantile(values, q) {
	const sorted = finite(values);
	if (sorted.length === 0) return Number.NaN;
	const position = (sorted.length - 1) * q;
	const below = Math.floor(position);
	const above = Math.ceil(position);
	return sorted[below] + (sorted[above] - sorted[below]) * (position - below);
}

export function median(values) {
	return quantile(values, 0.5);
}

/** Relative spread of the samples ((max - min) / median), to tell a steady run from a noisy one. */
export function spread(values) {
	const sorted = finite(values);
	if (sorted.length < 2) return 0;
	return (sorted[sorted.length - 1] - sorted[0]) / median(sorted);
}

/** Median, quartiles and extremes of a set of paired ratios. */
export function summarise(values) {
	const sorted = finite(values);
	return {
		median: median(sorted),
		q1: quantile(sorted, 0.25),
		q3: quantile(sorted, 0.75),
		min: sorted[0] ?? Number.NaN,
		max: sorted[sorted.length - 1] ?? Number.NaN,
		n: sorted.length,
	};
}

/** Least-squares slope of y over x. */
export function slope(xs, ys) {
	const n = xs.length;
	if (n < 2) return Number.NaN;
	const meanX = xs.reduce((sum, x) => sum + x, 0) / n;
	const meanY = ys.reduce((sum, y) => sum + y, 0) / n;
	let num = 0;
	let den = 0;
	for (let index = 0; index < n; index++) {
		num += (xs[index] - meanX) * (ys[index] - meanY);
		den += (xs[index] - meanX) ** 2;
	}
	return den === 0 ? Number.NaN : num / den;
}
