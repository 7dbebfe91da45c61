// Per-route request metrics: a duration histogram by route pattern, method and status class, recorded after each send.
import type { Registry } from "prom-client";
import type { App, Request, Response } from "../core/index.js";
import { registerCollected, type Sample } from "./collected.js";

/** Upper bounds in seconds: from a cached read (under a millisecond) to a slow export. */
export const durationBuckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

const statusClasses = ["1xx", "2xx", "3xx", "4xx", "5xx"] as const;

/** Requests no route matched (the router's 404 and 405): one label, whatever path was asked for. */
export const unmatchedRoute = "(unmatched)";

const knownMethods = new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]);

/** One histogram line set: counts per bucket (the last one past every bound), sum and count. */
class Series {
	readonly counts = new Float64Array(durationBuckets.length + 1);
	sum = 0;
	count = 0;

	constructor(readonly labels: Readonly<Record<string, string>>) {}

	observe(seconds: number): void {
		let bucket = 0;
		while (bucket < durationBuckets.length && seconds > (durationBuckets[bucket] as number)) bucket++;
		this.counts[bucket] = (this.counts[bucket] as number) + 1;
		this.sum += seconds;
		this.count++;
	}
}

/** A route × method: its series by status class, made on the first answer of that class. */
class RouteSeries {
	private readonly byClass: (Series | undefined)[] = [undefined, undefined, undefined, undefined, undefined];

	constructor(
		private readonly route: string,
		private readonly method: string,
		private readonly all: Series[],
	) {}

	series(statusCode: number): Series {
		const index = Math.min(Math.max(Math.floor(statusCode / 100) - 1, 0), 4);
		let series = this.byClass[index];
		if (series === undefined) {
			series = new Series({ route: this.route, method: this.method, status: statusClasses[index] as string });
			this.byClass[index] = series;
			this.all.push(series);
		}
		return series;
	}
}

/**
 * Records every answered request under its route pattern (`request.matchedPath`, never the raw path, so the label set
 * is bounded by the declared routes) in an `afterSend` hook. Per request: two map reads and a few additions; the
 * labels of a route are made once, on its first request. Requests handed to an upgrade handler (WebSocket) never reach
 * the pipeline and are not counted; an event stream counts when it ends.
 */
export function recordRequestMetrics(app: App, registry: Registry): void {
	const all: Series[] = [];
	const routes = new Map<string, Map<string, RouteSeries>>();

	function routeSeries(method: string, path: string): RouteSeries {
		let byPath = routes.get(method);
		if (byPath === undefined) {
			byPath = new Map();
			routes.set(method, byPath);
		}
		let series = byPath.get(path);
		if (series === undefined) {
			series = new RouteSeries(path === "" ? unmatchedRoute : path, method, all);
			byPath.set(path, series);
		}
		return series;
	}

	app.addHook("afterSend", (request: Request, response: Response) => {
		// A method no route declares reaches only the fallback: one label for all of them.
		const method = knownMethods.has(request.method) ? request.method : "OTHER";
		const seconds = (performance.now() - request.startedAt) / 1000;
		routeSeries(method, request.matchedPath).series(response.statusCode).observe(seconds);
	});

	registerCollected(registry, {
		name: "dofus_manager_http_request_duration_seconds",
		help: "Time from receiving a request to having sent its answer, by route pattern, method and status class.",
		type: "histogram",
		collect: () => {
			const samples: Sample[] = [];
			for (const series of all) {
				let cumulative = 0;
				for (let bucket = 0; bucket < durationBuckets.length; bucket++) {
					cumulative += series.counts[bucket] as number;
					samples.push({
						suffix: "_bucket",
						labels: { ...series.labels, le: durationBuckets[bucket] as number },
						value: cumulative,
					});
				}
				samples.push({ suffix: "_bucket", labels: { ...series.labels, le: "+Inf" }, value: series.count });
				samples.push({ suffix: "_sum", labels: series.labels, value: series.sum });
				samples.push({ suffix: "_count", labels: series.labels, value: series.count });
			}
			return samples;
		},
	});
}
