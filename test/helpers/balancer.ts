// What a load balancer does in front of the API instances of a fleet test: it polls each one's GET /health/ready, sends
// each request to the next ready instance (round robin, keep-alive), and retries on another instance only a request
// whose connection was refused (never sent). Any other failure (a reset, no answer, a 5xx) is the client's to see.
// Like the balancers of production (AWS's, Kubernetes' probes), it takes an instance out after a few failed polls in a
// row, not one (a check that times out on a loaded machine is no reason), and when none is ready it fails open: it sends
// to every instance rather than answer 503 itself (one that stopped listening refuses, and the request goes on).
import { Agent, request as httpRequest, type OutgoingHttpHeaders } from "node:http";

export interface Backend {
	readonly name: string;
	readonly port: number;
	/** Ready since a poll said so, until `unhealthyAfter` polls in a row said otherwise (or a connection was refused). */
	ready: boolean;
	/** Failed polls in a row. */
	failedPolls: number;
	readonly agent: Agent;
}

export interface BalancedRequest {
	method?: string;
	path: string;
	headers?: OutgoingHttpHeaders;
	body?: unknown;
	/** Send it to this instance (by name) rather than the next ready one; a refusal is then not retried elsewhere. */
	to?: string;
}

export type BalancedOutcome =
	| {
			kind: "answered";
			status: number;
			headers: Record<string, string | string[] | undefined>;
			body: string;
			/** The instance that answered. */
			backend: string;
			/** Refused connections retried on another instance before this answer. */
			retries: number;
	  }
	| { kind: "failed"; error: string; backend: string; retries: number }
	| { kind: "no-backend"; retries: number };

export interface Balancer {
	/** Starts polling the instance; it takes requests once a poll finds it ready. */
	add(name: string, port: number): void;
	/** Forgets the instance (it was stopped): no request goes to its port again, which another process may take. */
	remove(name: string): void;
	/** The instances, ready or not, in the order they were added. */
	backends(): Backend[];
	/** Each change a poll found, in order: `b not ready: 503 {…}`, for failure messages and figures. */
	transitions(): string[];
	/** Requests sent while no instance was ready (failing open). */
	failedOpen(): number;
	/** Resolves once `name` is known and its last poll said ready; rejects after `timeoutMs`. */
	whenReady(name: string, timeoutMs?: number): Promise<void>;
	/** Resolves once `name`'s polls say not ready (or it is gone); rejects after `timeoutMs`. */
	whenNotReady(name: string, timeoutMs?: number): Promise<void>;
	send(request: BalancedRequest): Promise<BalancedOutcome>;
	/** Stops polling and closes every kept-alive connection. */
	close(): void;
}

export interface BalancerOptions {
	/** How often each instance's readiness is polled, in milliseconds (default 100). */
	pollMs?: number;
	/** Failed polls in a row that take a ready instance out (default 3). */
	unhealthyAfter?: number;
	/** A request with no answer within this is failed, in milliseconds (default 15 s). */
	timeoutMs?: number;
}

/** One HTTP request, its body read in full; rejects with the socket's error (ECONNREFUSED, ECONNRESET…). */
function exchange(
	port: number,
	agent: Agent | false,
	request: BalancedRequest,
	timeoutMs: number,
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
	return new Promise((resolve, reject) => {
		const payload = request.body === undefined ? undefined : JSON.stringify(request.body);
		const outgoing = httpRequest(
			{
				host: "127.0.0.1",
				port,
				method: request.method ?? "GET",
				path: request.path,
				agent,
				headers:
					payload === undefined
						? request.headers
						: {
								...request.headers,
								"content-type": "application/json",
								"content-length": Buffer.byteLength(payload),
							},
			},
			(response) => {
				let body = "";
				response.setEncoding("utf8");
				response.on("data", (chunk: string) => (body += chunk));
				response.on("end", () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body }));
				response.on("error", reject);
			},
		);
		outgoing.setTimeout(timeoutMs, () => outgoing.destroy(new Error(`no answer within ${timeoutMs} ms`)));
		outgoing.on("error", reject);
		outgoing.end(payload);
	});
}

export function createBalancer(options: BalancerOptions = {}): Balancer {
	const pollMs = options.pollMs ?? 100;
	const unhealthyAfter = options.unhealthyAfter ?? 3;
	const timeoutMs = options.timeoutMs ?? 15_000;
	const backends = new Map<string, Backend>();
	const pollers = new Map<string, NodeJS.Timeout>();
	let next = 0;
	let failedOpen = 0;

	const transitions: string[] = [];
	const poll = async (backend: Backend) => {
		let ready = false;
		let said: string;
		try {
			// A connection of its own per poll, as load balancers' health checks do: the answer says nothing of keep-alive.
			const { status, body } = await exchange(backend.port, false, { path: "/health/ready" }, 1_000);
			ready = status === 200;
			said = `${status} ${body}`;
		} catch (error) {
			said = String(error);
		}
		backend.failedPolls = ready ? 0 : backend.failedPolls + 1;
		const inRotation = ready || (backend.ready && backend.failedPolls < unhealthyAfter);
		if (inRotation !== backend.ready)
			transitions.push(`${backend.name} ${inRotation ? "ready" : "not ready"}: ${said}`);
		else if (!ready && backend.ready)
			transitions.push(`${backend.name} failed a poll (${backend.failedPolls}): ${said}`);
		backend.ready = inRotation;
	};

	const waitFor = (what: string, test: () => boolean, waitMs: number) =>
		new Promise<void>((resolve, reject) => {
			const deadline = Date.now() + waitMs;
			const check = () => {
				if (test()) return resolve();
				if (Date.now() > deadline) return reject(new Error(`timed out after ${waitMs} ms waiting for ${what}`));
				setTimeout(check, 20);
			};
			check();
		});

	const ready = () => [...backends.values()].filter((backend) => backend.ready);

	return {
		add(name, port) {
			if (backends.has(name)) throw new Error(`${name} is already balanced`);
			const backend: Backend = {
				name,
				port,
				ready: false,
				failedPolls: 0,
				// An idle kept-alive socket is dropped after 2 s, before the server's own 5 s (keepAliveTimeout) can close it
				// under a request just being sent: that race is a reset no balancer should cause (their idle timeout is the
				// shorter one too).
				agent: new Agent({ keepAlive: true, maxSockets: 64, timeout: 2_000 }),
			};
			backends.set(name, backend);
			let polling = false;
			const tick = () => {
				if (polling) return;
				polling = true;
				void poll(backend).finally(() => {
					polling = false;
				});
			};
			pollers.set(name, setInterval(tick, pollMs));
			tick();
		},
		remove(name) {
			const backend = backends.get(name);
			if (backend === undefined) return;
			clearInterval(pollers.get(name));
			pollers.delete(name);
			backend.agent.destroy();
			backends.delete(name);
		},
		backends: () => [...backends.values()],
		transitions: () => [...transitions],
		failedOpen: () => failedOpen,
		whenReady: (name, waitMs = 60_000) =>
			waitFor(`${name} to be ready`, () => backends.get(name)?.ready === true, waitMs),
		whenNotReady: (name, waitMs = 10_000) =>
			waitFor(`${name} to be not ready`, () => backends.get(name)?.ready !== true, waitMs),
		async send(request) {
			let retries = 0;
			const tried = new Set<string>();
			for (;;) {
				let backend: Backend | undefined;
				if (request.to !== undefined) backend = backends.get(request.to);
				else {
					const untried = (list: Backend[]) => list.filter((candidate) => !tried.has(candidate.name));
					// None ready: fail open, over every instance not tried yet.
					const readyOnes = untried(ready());
					const candidates = readyOnes.length > 0 ? readyOnes : untried([...backends.values()]);
					if (readyOnes.length === 0 && candidates.length > 0) failedOpen += 1;
					backend = candidates[next++ % Math.max(1, candidates.length)];
				}
				if (backend === undefined) return { kind: "no-backend", retries };
				tried.add(backend.name);
				try {
					const answer = await exchange(backend.port, backend.agent, request, timeoutMs);
					return { kind: "answered", ...answer, backend: backend.name, retries };
				} catch (error) {
					const code = (error as NodeJS.ErrnoException).code;
					// Refused: the listener is closed, nothing was sent. Out of rotation until a poll finds it ready again.
					if (code === "ECONNREFUSED" && request.to === undefined) {
						backend.ready = false;
						retries += 1;
						continue;
					}
					return { kind: "failed", error: `${code ?? ""} ${(error as Error).message}`, backend: backend.name, retries };
				}
			}
		},
		close() {
			for (const name of [...backends.keys()]) this.remove(name);
		},
	};
}
