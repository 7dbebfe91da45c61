// Metrics read at scrape time from figures kept elsewhere (cache counters, pool state): nothing is done per request.
import type { Metric, Registry } from "prom-client";

/** One line of a metric: its labels (none for most) and value; `suffix` names a histogram's `_bucket`, `_sum`, `_count`. */
export interface Sample {
	readonly labels?: Readonly<Record<string, string | number>>;
	readonly value: number;
	readonly suffix?: "_bucket" | "_sum" | "_count";
}

export interface CollectedMetricOptions {
	readonly name: string;
	readonly help: string;
	readonly type: "counter" | "gauge" | "histogram";
	/** The values now; may query (the registry awaits every metric's values in parallel). */
	readonly collect: () => readonly Sample[] | Promise<readonly Sample[]>;
}

/**
 * Registers a metric whose values `collect` returns at each scrape. prom-client's own classes keep their values
 * themselves (a Counter can only be incremented); these mirror counters that already exist, so the registry is handed
 * the object shape it reads (`get()`), and prom-client formats it like its own.
 */
export function registerCollected(registry: Registry, options: CollectedMetricOptions): void {
	const { name, help, type, collect } = options;
	const metric = {
		name,
		help,
		type,
		aggregator: "sum",
		async get() {
			const samples = await collect();
			return {
				name,
				help,
				type,
				aggregator: "sum",
				values: samples.map((sample) => ({
					labels: sample.labels ?? {},
					value: sample.value,
					metricName: sample.suffix === undefined ? name : `${name}${sample.suffix}`,
				})),
			};
		},
		reset() {},
	};
	registry.registerMetric(metric as unknown as Metric);
}
