// The real-time benchmark's SSE clients: many `GET /api/events` streams on raw sockets (the cheapest reader Node has),
// each counting the marked events it receives, every delivery's latency going into one shared histogram.
import { connect } from "node:net";

/** What a benchmark event carries in its data (`bench#<seq>`), the one thing a client looks for in the stream. */
export const markerPrefix = "bench#";
const marker = Buffer.from(markerPrefix);
const newline = 0x0a;
/**
 * The last chunk of a chunked answer: the server ended the stream. The socket may outlive it (kept alive until the
 * server's idle timeout), so this, not the socket's close, is when a client (an EventSource) sees the stream end.
 */
const endOfStream = Buffer.from("\r\n0\r\n\r\n");
/** Every socket reads into this one buffer: a read is handled before the next begins, and what is kept is copied. */
const readBuffer = Buffer.allocUnsafe(256 * 1024);

/** Latencies in 0.1 ms bins up to 60 s (anything later lands in the last bin): constant cost per delivery. */
export class LatencyHistogram {
	static binMs = 0.1;
	bins = new Uint32Array(600_000);
	count = 0;
	max = 0;

	add(ms) {
		const bin = Math.min(this.bins.length - 1, Math.max(0, Math.floor(ms / LatencyHistogram.binMs)));
		this.bins[bin]++;
		this.count++;
		if (ms > this.max) this.max = ms;
	}

	/** The latency at quantile q (0..1), nearest rank, to the bin's upper edge. */
	quantile(q) {
		if (this.count === 0) return Number.NaN;
		const rank = Math.max(1, Math.ceil(q * this.count));
		let seen = 0;
		for (let bin = 0; bin < this.bins.length; bin++) {
			seen += this.bins[bin];
			if (seen >= rank) return Math.min(this.max, (bin + 1) * LatencyHistogram.binMs);
		}
		return this.max;
	}

	reset() {
		this.bins.fill(0);
		this.count = 0;
		this.max = 0;
	}
}

/**
 * The clients of one run. A measuring window names the events (seq first..last) of a step: a client's deliveries of
 * them are counted and timed against `sentAt[seq]` (the publisher's clock, same process); others are counted as late.
 */
export class SseFleet {
	/** @param {{ sentAt: Float64Array }} options */
	constructor({ sentAt }) {
		this.sentAt = sentAt;
		this.clients = [];
		this.histogram = new LatencyHistogram();
		this.window = { first: 1, last: 0 };
		this.late = 0;
		this.closedInWindow = 0;
		/** performance.now() of the latest delivery of any marked event, for waiting until the servers went quiet. */
		this.lastDeliveryAt = 0;
	}

	/** Opens one stream; resolves once the answer's head says 200 (the hub has registered the connection by then). */
	open({ port, token, label }) {
		const client = {
			index: this.clients.length,
			port,
			token,
			label,
			open: false,
			received: 0,
			socket: undefined,
		};
		this.clients.push(client);
		return this.#connect(client);
	}

	/** Opens again the streams that were closed (by the server or a failure); returns how many. */
	async reopenClosed(concurrency = 50) {
		const closed = this.clients.filter((client) => !client.open);
		for (let index = 0; index < closed.length; index += concurrency)
			await Promise.all(closed.slice(index, index + concurrency).map((client) => this.#connect(client)));
		return closed.length;
	}

	get openCount() {
		return this.clients.reduce((sum, client) => sum + (client.open ? 1 : 0), 0);
	}

	/** Starts counting the events first..last (the step about to be published). */
	beginWindow(first, last) {
		this.window = { first, last };
		this.histogram.reset();
		this.late = 0;
		this.closedInWindow = 0;
		for (const client of this.clients) client.received = 0;
	}

	/** Deliveries still missing for `expected` events each (closed clients count for all they did not get). */
	missing(expected) {
		let missing = 0;
		for (const client of this.clients) missing += Math.max(0, expected - client.received);
		return missing;
	}

	/** Deliveries beyond `expected` per client: an event delivered twice (the hub promises once). */
	extra(expected) {
		let extra = 0;
		for (const client of this.clients) extra += Math.max(0, client.received - expected);
		return extra;
	}

	/** Clients that did not get all `expected` events. */
	short(expected) {
		return this.clients.reduce((sum, client) => sum + (client.received < expected ? 1 : 0), 0);
	}

	/** Resolves once every client got `expected` events of the window, or at `deadline` (performance.now()). */
	async waitComplete(expected, deadline) {
		while (this.missing(expected) > 0 && performance.now() < deadline) await sleep(10);
	}

	/** Resolves once no marked event arrived for `quietMs` (the servers delivered their backlog), or after `maxMs`. */
	async waitQuiet(quietMs, maxMs) {
		const until = performance.now() + maxMs;
		while (performance.now() < until && performance.now() - this.lastDeliveryAt < quietMs) await sleep(20);
	}

	closeAll() {
		for (const client of this.clients) {
			client.closing = true;
			client.socket?.destroy();
		}
	}

	#connect(client) {
		return new Promise((resolve, reject) => {
			let head = "";
			let headDone = false;
			let leftover;
			client.closing = false;
			// `onread` hands each read to us in one shared buffer, skipping the stream machinery (and an allocation) per read.
			const socket = connect({
				host: "127.0.0.1",
				port: client.port,
				onread: { buffer: readBuffer, callback: (length, buffer) => onData(buffer.subarray(0, length)) },
			});
			client.socket = socket;
			socket.setNoDelay(true);
			socket.once("error", (error) => {
				if (!headDone) reject(new Error(`${client.label}: ${error.message}`));
			});
			socket.once("close", () => {
				if (client.open && !client.closing) this.closedInWindow++;
				client.open = false;
				if (!headDone) reject(new Error(`${client.label}: closed before the answer's head`));
			});
			socket.on("connect", () => {
				socket.write(
					`GET /api/events HTTP/1.1\r\nHost: 127.0.0.1:${client.port}\r\nAuthorization: Bearer ${client.token}\r\n` +
						"Accept: text/event-stream\r\n\r\n",
				);
			});
			const onData = (chunk) => {
				if (!headDone) {
					head += chunk.toString("latin1");
					const end = head.indexOf("\r\n\r\n");
					if (end === -1) return;
					headDone = true;
					const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1]);
					if (status !== 200) {
						socket.destroy();
						return reject(new Error(`${client.label}: GET /api/events answered ${status}: ${head.slice(0, 300)}`));
					}
					client.open = true;
					resolve();
					const rest = Buffer.from(head.slice(end + 4), "latin1");
					if (rest.length === 0) return;
					chunk = rest;
				}
				// A marker is complete once a newline follows it (it sits on a `data:` line); what follows the last newline
				// waits for the next read. Each event is one write on the server, so a split is rare and the copy with it.
				let buffer = leftover === undefined ? chunk : Buffer.concat([leftover, chunk]);
				leftover = undefined;
				const lastNewline = buffer.lastIndexOf(newline);
				if (lastNewline < buffer.length - 1) {
					leftover = Buffer.from(buffer.subarray(lastNewline + 1));
					buffer = buffer.subarray(0, lastNewline + 1);
				}
				let at = buffer.indexOf(marker);
				if (at === -1) {
					if (buffer.indexOf(endOfStream) !== -1 || buffer.subarray(0, 5).toString("latin1") === "0\r\n\r\n")
						this.#ended(client);
					return;
				}
				const now = performance.now();
				while (at !== -1) {
					let seq = 0;
					let digit = at + marker.length;
					for (let byte = buffer[digit]; byte >= 0x30 && byte <= 0x39; byte = buffer[++digit])
						seq = seq * 10 + byte - 0x30;
					this.#record(client, seq, now);
					at = buffer.indexOf(marker, digit);
				}
				if (buffer.indexOf(endOfStream) !== -1) this.#ended(client);
			};
		});
	}

	#ended(client) {
		if (client.open && !client.closing) this.closedInWindow++;
		client.open = false;
		client.socket.destroy();
	}

	#record(client, seq, now) {
		this.lastDeliveryAt = now;
		if (seq < this.window.first || seq > this.window.last) {
			this.late++;
			return;
		}
		client.received++;
		this.histogram.add(now - this.sentAt[seq]);
	}
}

function sleep(ms) {
	return new Promise((resolve) => setTimeout(resolve, ms));
}
