// Small statistics helpers for benchmark samples.

export function median(values) {
	const sorted = values.filter((value) => Number.isFinite(value)).sort((a, b) => a - b);
	if (sorted.length === 0) return Number.NaN;
	const middle = Math.floor(sorted.length / 2);
	return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** Relative spread of the samples ((max - min) / median), to tell a steady run from a noisy one. */
export function spread(values) {
	const finite = values.filter((value) => Number.isFinite(value));
	if (finite.length < 2) return 0;
	return (Math.max(...finite) - Math.min(...finite)) / median(finite);
}
