// How the real-time benchmark publishes, at a steady rate: straight into the event log (publishEvent, as a service does
// at the end of its transaction) or through the API (PATCH /api/guilds/{id}: a rename publishes guild.updated).
import { Agent, request } from "node:http";
import { markerPrefix } from "./sse-clients.mjs";

/** `publishEvent` on the bench's own connection to the database: what every instance's hub hears of by NOTIFY. */
export function logPublisher({ publishEvent, db, guild }) {
	return {
		name: "publishEvent",
		description: "publishEvent() from the bench process (guild.updated to the guild room), over its own connection",
		send: (seq, sentAtWallClock) =>
			publishEvent(db, {
				type: "guild.updated",
				audience: [`guild:${guild.id}`],
				// Shaped as the rename publishes it, plus the send time (same machine: comparable with a client's clock).
				data: { ...guild, name: `${markerPrefix}${seq}`, sentAt: sentAtWallClock },
			}),
		close: async () => {},
	};
}

/** A rename of the guild by its owner, through the API; the latency then includes the request and its transaction. */
export function apiPublisher({ port, token, guildId }) {
	const newAgent = () => new Agent({ keepAlive: true, maxSockets: 64 });
	let agent = newAgent();
	return {
		name: "PATCH /api/guilds/{id}",
		description: "PATCH /api/guilds/{id} by the owner (its rename publishes guild.updated to the guild room)",
		// Sockets idle since the last step may be closing on the server's side (keep-alive timeout): fresh ones each step.
		beforeStep: () => {
			agent.destroy();
			agent = newAgent();
		},
		send: (seq) =>
			new Promise((resolve, reject) => {
				const body = JSON.stringify({ name: `${markerPrefix}${seq}` });
				const outgoing = request(
					{
						host: "127.0.0.1",
						port,
						method: "PATCH",
						path: `/api/guilds/${guildId}`,
						agent,
						headers: {
							authorization: `Bearer ${token}`,
							"content-type": "application/json",
							"content-length": Buffer.byteLength(body),
						},
					},
					(response) => {
						response.resume();
						response.once("end", () =>
							response.statusCode === 200 ? resolve() : reject(new Error(`PATCH answered ${response.statusCode}`)),
						);
					},
				);
				outgoing.once("error", reject);
				outgoing.end(body);
			}),
		close: async () => agent.destroy(),
	};
}

/**
 * Sends `rate × seconds` events at their due times (open loop: a slow publish does not delay the next, up to
 * `maxInFlight` outstanding). `sentAt[seq]` is each event's due time, which latencies are measured from, so that a
 * publisher falling behind shows up as latency rather than hiding it.
 */
export async function publishSteadily({ publisher, rate, seconds, firstSeq, sentAt, maxInFlight = 64 }) {
	publisher.beforeStep?.();
	const count = Math.max(1, Math.round(rate * seconds));
	const interval = 1000 / rate;
	const start = performance.now() + 2;
	let inFlight = 0;
	let slotFree;
	let ok = 0;
	let failed = 0;
	let firstError;
	let lagMaxMs = 0;
	let lastIssuedAt = start;
	const pending = new Set();
	for (let index = 0; index < count; index++) {
		const due = start + index * interval;
		const wait = due - performance.now();
		// setTimeout is good to a millisecond: what is due within one goes out now, and the loop catches up after a long sleep.
		if (wait > 1) await sleep(wait);
		while (inFlight >= maxInFlight) await new Promise((resolve) => (slotFree = resolve));
		const seq = firstSeq + index;
		sentAt[seq] = due;
		lastIssuedAt = performance.now();
		lagMaxMs = Math.max(lagMaxMs, lastIssuedAt - due);
		inFlight++;
		const sending = publisher
			.send(seq, performance.timeOrigin + due)
			.then(
				() => ok++,
				(error) => {
					failed++;
					firstError ??= error.message;
				},
			)
			.finally(() => {
				inFlight--;
				slotFree?.();
				slotFree = undefined;
				pending.delete(sending);
			});
		pending.add(sending);
	}
	const lastDue = start + (count - 1) * interval;
	await Promise.all(pending);
	// The rate the sends went out at: how long each one took to answer shows in the latencies, measured from due times.
	const issuing = lastIssuedAt - start + interval;
	return { count, ok, failed, firstError, lagMaxMs, lastDue, publishedPerSecond: (ok / issuing) * 1000 };
}

function sleep(ms) {
	return new Promise((resolve) => setTimeout(resolve, ms));
}
