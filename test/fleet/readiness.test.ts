// SIGTERM of an API instance (`node dist/main.js`) with SHUTDOWN_DRAIN_MS: GET /health/ready answers 503 from then on, while
// everything else, the requests already in flight included, is still served until the drain ends; then it exits 0.
import { request as httpRequest } from "node:http";
import { describe, expect, it } from "vitest";
import { fleetTestBed } from "../helpers/fleet.js";
import { until } from "../helpers/worker-process.js";

const bed = fleetTestBed();
/** Long enough that the checks below, made during the drain, are made during it on a slow machine too. */
const drainMs = 6_000;

/** What the health routes answer, loosely: the tests read `checks` and `failed` of GET /health/ready. */
interface HealthBody {
	status?: string;
	failed?: string[];
	checks?: Record<string, string>;
}

async function answer(port: number, path: string, headers: Record<string, string> = {}) {
	const response = await fetch(`http://127.0.0.1:${port}${path}`, { headers });
	return { status: response.status, info: response.headers.get("info"), body: (await response.json()) as HealthBody };
}

/** A POST whose head and first half of body are sent now; `finish()` sends the rest and resolves with the answer. */
function startSlowPost(port: number, path: string, headers: Record<string, string>, body: unknown) {
	const payload = Buffer.from(JSON.stringify(body));
	let settle: (status: number | string) => void = () => {};
	const answered = new Promise<number | string>((resolve) => {
		settle = resolve;
	});
	const request = httpRequest(
		{
			host: "127.0.0.1",
			port,
			method: "POST",
			path,
			headers: { ...headers, "content-type": "application/json", "content-length": payload.length },
		},
		(response) => {
			response.resume();
			response.on("end", () => settle(response.statusCode ?? 0));
		},
	);
	request.on("error", (error) => settle(String(error)));
	const half = Math.floor(payload.length / 2);
	request.write(payload.subarray(0, half));
	return {
		finish() {
			request.end(payload.subarray(half));
			return answered;
		},
	};
}

describe("SIGTERM of an API instance with SHUTDOWN_DRAIN_MS (node dist/main.js, PgBouncer)", () => {
	it("answers 503 on /health/ready from SIGTERM on, serves the rest through the drain, then exits 0", async () => {
		const database = await bed.database("readiness_sigterm");
		const { api, port } = await bed.startApi("api-draining", database, { SHUTDOWN_DRAIN_MS: String(drainMs) });
		const credentials = { email: "drain@example.test", password: "correct horse battery staple" };
		const post = (path: string, body: unknown) =>
			fetch(`http://127.0.0.1:${port}${path}`, {
				method: "POST",
				headers: { "content-type": "application/json" },
				body: JSON.stringify(body),
			});
		expect((await post("/api/auth/register", { ...credentials, displayName: "Drain" })).status).toBe(201);
		const { accessToken } = (await (await post("/api/auth/login", credentials)).json()) as { accessToken: string };
		const authorization = { authorization: `Bearer ${accessToken}` };
		// As a load balancer would: on a saturated machine the probe's 500 ms `select 1` can miss once.
		await until(
			"the instance to be ready",
			async () => ((await answer(port, "/health/ready")).status === 200 ? true : undefined),
			60_000,
		);

		const inFlight = startSlowPost(port, "/api/accounts", authorization, { name: "sent-before-sigterm" });
		// The request's head is in: give the server a moment to start serving it.
		await new Promise((resolve) => setTimeout(resolve, 200));
		const signalledAt = performance.now();
		api.child.kill("SIGTERM");
		let notReadyAfterMs: number | undefined;
		for (;;) {
			const ready = await answer(port, "/health/ready").catch((error: unknown) => {
				throw new Error(`the listener closed before /health/ready said 503: ${String(error)}\n${api.output()}`);
			});
			// Not ready for the shutdown (a probe that missed on a loaded machine may say "database" too).
			if (ready.status === 503 && ready.body.checks?.process === "shutting_down") {
				notReadyAfterMs = performance.now() - signalledAt;
				expect(ready).toMatchObject({
					status: 503,
					info: "health.not_ready",
					body: { status: "not_ready", checks: { process: "shutting_down" } },
				});
				expect(ready.body.failed).toContain("process");
				break;
			}
			await new Promise((resolve) => setTimeout(resolve, 10));
		}
		// Draining: live, and serving new requests on new connections, as it must while a balancer takes it out.
		expect((await answer(port, "/health/live")).status).toBe(200);
		expect((await answer(port, "/api/accounts", authorization)).status).toBe(200);
		expect((await answer(port, "/health/ready")).status).toBe(503);
		const inFlightStatus = await inFlight.finish();
		const answeredAfterMs = performance.now() - signalledAt;
		const exit = await api.exited;
		const exitedAfterMs = performance.now() - signalledAt;
		console.info(
			`[readiness] not ready ${notReadyAfterMs.toFixed(0)} ms after SIGTERM; the in-flight POST answered ${inFlightStatus} ` +
				`${answeredAfterMs.toFixed(0)} ms after it; exit ${exit.code} after ${exitedAfterMs.toFixed(0)} ms`,
		);
		expect(inFlightStatus).toBe(201);
		// It served the whole drain before it stopped listening (a lower bound: a slow machine only makes it longer).
		expect(exitedAfterMs).toBeGreaterThanOrEqual(drainMs);
		expect(exit, api.output()).toEqual({ code: 0, signal: null });
		expect(api.output()).toContain('"msg":"stopped"');
		// The drain ended before the exit: the listener closed, nobody is served on the port any more.
		await expect(fetch(`http://127.0.0.1:${port}/health/live`)).rejects.toThrow();
	}, 120_000);
});
