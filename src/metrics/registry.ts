// One app's Prometheus registry: prom-client's process metrics (event-loop lag, heap, GC, CPU, handles) and ours.
import { collectDefaultMetrics, Registry } from "prom-client";

/**
 * A registry per app rather than prom-client's global one: tests build several apps in one process, and each
 * exposes its own figures. The default metrics keep their usual names (`nodejs_eventloop_lag_seconds`,
 * `process_cpu_seconds_total`…) so that stock dashboards read them.
 */
export function createMetricsRegistry(): Registry {
	const registry = new Registry();
	collectDefaultMetrics({ register: registry });
	return registry;
}
