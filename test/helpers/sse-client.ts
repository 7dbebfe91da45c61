// A server-sent events client for tests: opens the stream over real HTTP, parses events, waits for the ones asked for.
import { request as httpRequest, type IncomingMessage } from "node:http";

export interface ReceivedEvent {
	id: string | undefined;
	event: string | undefined;
	data: string;
	/** `data` parsed as JSON, or undefined when it is not JSON. */
	// biome-ignore lint/suspicious/noExplicitAny: tests read whatever payload they expect; matchers check its shape.
	json: any;
}

export interface SseConnection {
	status: number;
	headers: IncomingMessage["headers"];
	/** Every event received so far, in order. */
	readonly events: ReceivedEvent[];
	/** Comment lines received (`: heartbeat`), without the colon. */
	readonly comments: string[];
	/** The `retry:` hints received. */
	readonly retries: number[];
	/** The raw text received so far. */
	text(): string;
	/** Resolves with the first event (already received or to come) matching `accept`; rejects after `timeoutMs`. */
	next(accept?: (event: ReceivedEvent) => boolean, timeoutMs?: number): Promise<ReceivedEvent>;
	/** Resolves when the server ends the stream (or the connection drops); rejects after `timeoutMs`. */
	ended(timeoutMs?: number): Promise<void>;
	readonly isEnded: boolean;
	/** Stops reading from the socket (a slow consumer), without closing it. */
	pause(): void;
	close(): void;
}

/** Opens `url` with `headers`; resolves once the answer's head arrived (whatever its status). */
export function openSse(url: string, headers: Record<string, string> = {}): Promise<SseConnection> {
	return new Promise((resolve, reject) => {
		const request = httpRequest(
			url,
			{ headers: { accept: "text/event-stream", connection: "close", ...headers } },
			(response) => {
				const events: ReceivedEvent[] = [];
				const comments: string[] = [];
				const retries: number[] = [];
				const waiters = new Set<() => void>();
				let raw = "";
				let pending = "";
				let isEnded = false;
				let current: { id?: string; event?: string; data: string[] } = { data: [] };
				const wake = () => {
					for (const waiter of [...waiters]) waiter();
				};
				response.setEncoding("utf8");
				response.on("data", (chunk: string) => {
					raw += chunk;
					pending += chunk;
					let newline = pending.indexOf("\n");
					while (newline !== -1) {
						const line = pending.slice(0, newline).replace(/\r$/, "");
						pending = pending.slice(newline + 1);
						if (line === "") {
							if (current.data.length > 0 || current.id !== undefined || current.event !== undefined) {
								const data = current.data.join("\n");
								let json: unknown;
								try {
									json = JSON.parse(data);
								} catch {
									json = undefined;
								}
								events.push({ id: current.id, event: current.event, data, json });
							}
							current = { data: [] };
						} else if (line.startsWith(":")) {
							comments.push(line.slice(1).trim());
						} else {
							const colon = line.indexOf(":");
							const field = colon === -1 ? line : line.slice(0, colon);
							const value = colon === -1 ? "" : line.slice(colon + 1).replace(/^ /, "");
							if (field === "data") current.data.push(value);
							else if (field === "id") current.id = value;
							else if (field === "event") current.event = value;
							else if (field === "retry") retries.push(Number(value));
						}
						newline = pending.indexOf("\n");
					}
					wake();
				});
				const finish = () => {
					isEnded = true;
					wake();
				};
				response.on("end", finish);
				response.on("close", finish);
				response.on("error", finish);
				resolve({
					status: response.statusCode ?? 0,
					headers: response.headers,
					events,
					comments,
					retries,
					text: () => raw,
					get isEnded() {
						return isEnded;
					},
					next(accept = () => true, timeoutMs = 5_000) {
						return waitFor(
							() => events.find(accept),
							() => `no matching event within ${timeoutMs} ms; received: ${JSON.stringify(events.map((e) => e.data))}`,
							timeoutMs,
						);
					},
					ended(timeoutMs = 5_000) {
						return waitFor(
							() => (isEnded ? true : undefined),
							() => `the stream was still open after ${timeoutMs} ms`,
							timeoutMs,
						).then(() => undefined);
					},
					pause() {
						response.pause();
						response.socket.pause();
					},
					close() {
						request.destroy();
					},
				});
				function waitFor<T>(find: () => T | undefined, describe: () => string, timeoutMs: number): Promise<T> {
					const found = find();
					if (found !== undefined) return Promise.resolve(found);
					return new Promise<T>((done, fail) => {
						const check = () => {
							const value = find();
							if (value === undefined) return;
							clearTimeout(timer);
							waiters.delete(check);
							done(value);
						};
						const timer = setTimeout(() => {
							waiters.delete(check);
							fail(new Error(describe()));
						}, timeoutMs);
						waiters.add(check);
					});
				}
			},
		);
		request.on("error", reject);
		request.end();
	});
}
