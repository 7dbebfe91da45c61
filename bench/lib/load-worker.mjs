// Load generator child process: runs autocannon against one URL and prints a JSON summary on stdout (run pinned to its own CPU).
import autocannon from "autocannon";

const spec = JSON.parse(process.argv[2]);

const result = await autocannon({
	url: spec.url,
	method: spec.method,
	headers: spec.headers,
	body: spec.body,
	// Optional: requests cycled in turn by each connection (several hosts, paths or tokens in one load).
	requests: spec.requests,
	connections: spec.connections,
	duration: spec.duration,
	pipelining: 1,
});

const statusCodes = {};
for (const [code, stats] of Object.entries(result.statusCodeStats ?? {})) statusCodes[code] = stats.count;
const answered = Object.values(statusCodes).reduce((sum, count) => sum + count, 0);

process.stdout.write(
	JSON.stringify({
		requestsPerSecond: answered / result.duration,
		latencyP50: result.latency.p50,
		latencyP99: result.latency.p99,
		latencyMean: result.latency.mean,
		total: answered,
		duration: result.duration,
		statusCodes,
		errors: result.errors,
		timeouts: result.timeouts,
	}),
);
