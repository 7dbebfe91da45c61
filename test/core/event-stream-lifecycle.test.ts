// Specification of an event stream's life on its own sink: what it writes for events and comments, the cap on unread
// bytes at its exact edges, who is told when it closes and with which reason, the registry that closes them all, and
// what the declaration and the stream's head say.
import type { OutgoingHttpHeaders } from "node:http";
import { Writable } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { EventStream, EventStreamRegistry } from "../../src/core/event-stream.js";
import { type App, createApp, DeclarationError, eventStream, formatServerSentEvent } from "../../src/core/index.js";
import type { ResponseSink } from "../../src/core/response.js";
import { openSse } from "../helpers/sse-client.js";

/** A real writable that keeps what it was given; `reading: false` takes nothing, so every byte stays buffered. */
class Sink extends Writable implements ResponseSink {
	readonly headersSent = true;
	readonly written: string[] = [];
	ended = false;

	constructor(private readonly reading = true) {
		super({ highWaterMark: 1 << 30, decodeStrings: false });
		this.once("finish", () => {
			this.ended = true;
		});
	}

	override _write(chunk: string | Buffer, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
		this.written.push(String(chunk));
		if (this.reading) done();
	}

	writeHead(_statusCode: number, _headers: OutgoingHttpHeaders): this {
		return this;
	}
}

const turn = () => new Promise((resolve) => setImmediate(resolve));

describe("an event stream", () => {
	it("writes each event as its lines, and a comment on one line", () => {
		const sink = new Sink();
		const stream = new EventStream(sink, 1_000, 0, undefined);
		expect(stream.send({ id: 3, event: "tick", data: [1, 2] })).toBe(true);
		expect(stream.comment("a\r\nb\rc\nd")).toBe(true);
		expect(sink.written).toEqual(["id: 3\nevent: tick\ndata: [1,2]\n\n", ": a b c d\n\n"]);
	});

	it("is open, with no reason, until it is closed; then closed with the reason given, or server-closed", () => {
		const sink = new Sink();
		const stream = new EventStream(sink, 1_000, 0, undefined);
		expect(stream.closed).toBe(false);
		expect(stream.closeReason).toBeUndefined();
		stream.close();
		expect(stream.closed).toBe(true);
		expect(stream.closeReason).toBe("server-closed");
		expect(sink.writableEnded).toBe(true);
		const other = new EventStream(new Sink(), 1_000, 0, undefined);
		other.close("moved");
		expect(other.closeReason).toBe("moved");
	});

	it("ignores writes once closed, and says so", () => {
		const sink = new Sink();
		const stream = new EventStream(sink, 1_000, 0, undefined);
		stream.close();
		expect(stream.send({ data: "late" })).toBe(false);
		expect(stream.comment("late")).toBe(false);
		expect(sink.written).toEqual([]);
	});

	it("tells each listener once, with the first reason, and one that comes late at once", () => {
		const stream = new EventStream(new Sink(), 1_000, 0, undefined);
		const heard: string[] = [];
		stream.onClose((reason) => heard.push(`a:${reason}`));
		stream.onClose((reason) => heard.push(`b:${reason}`));
		stream.close("first");
		stream.close("second");
		expect(heard).toEqual(["a:first", "b:first"]);
		stream.onClose((reason) => heard.push(`late:${reason}`));
		expect(heard).toEqual(["a:first", "b:first", "late:first"]);
	});

	it("closes as client-closed when its sink closes, without ending it again", async () => {
		const sink = new Sink();
		const stream = new EventStream(sink, 1_000, 0, undefined);
		const heard: string[] = [];
		stream.onClose((reason) => heard.push(reason));
		sink.destroy();
		await expect.poll(() => heard).toEqual(["client-closed"]);
		expect(stream.closeReason).toBe("client-closed");
		expect(sink.writableEnded).toBe(false);
	});

	it("does not end a sink already destroyed when the server closes it", () => {
		const sink = new Sink();
		const stream = new EventStream(sink, 1_000, 0, undefined);
		sink.destroy();
		stream.close();
		expect(sink.writableEnded).toBe(false);
		expect(stream.closeReason).toBe("server-closed");
	});

	it("reports the bytes its sink has not taken", () => {
		const sink = new Sink(false);
		const stream = new EventStream(sink, 1_000_000, 0, undefined);
		expect(stream.bufferedBytes).toBe(0);
		stream.send({ data: "abc" });
		stream.send({ data: "def" });
		// The first write is being taken; what is held is the second one.
		expect(stream.bufferedBytes).toBe(sink.writableLength);
		expect(stream.bufferedBytes).toBeGreaterThan(0);
	});

	it("keeps a client exactly at four times the cap, and drops it at one byte more", () => {
		const event = formatServerSentEvent({ data: "x" });
		const size = Buffer.byteLength(event);
		// The cap is a quarter of what four events hold.
		const exact = new EventStream(new Sink(false), size, 0, undefined);
		for (let index = 0; index < 4; index++) expect(exact.send({ data: "x" })).toBe(true);
		expect(exact.closed).toBe(false);
		const sink = new Sink(false);
		const over = new EventStream(sink, size, 0, undefined);
		for (let index = 0; index < 4; index++) over.send({ data: "x" });
		expect(over.comment("")).toBe(false);
		expect(over.closeReason).toBe("slow-consumer");
		expect(sink.destroyed).toBe(true);
	});

	it("drops a client still over the cap once pending writes had their turn, and keeps one exactly at it", async () => {
		const event = formatServerSentEvent({ data: "x" });
		const size = Buffer.byteLength(event);
		const at = new EventStream(new Sink(false), 2 * size, 0, undefined);
		at.send({ data: "x" });
		at.send({ data: "x" });
		await turn();
		await turn();
		expect(at.closed).toBe(false);

		const over = new EventStream(new Sink(false), 2 * size - 1, 0, undefined);
		over.send({ data: "x" });
		expect(over.send({ data: "x" })).toBe(true);
		expect(over.closed).toBe(false);
		await expect.poll(() => over.closeReason).toBe("slow-consumer");
	});

	it("drops a client that a single event takes over the cap", async () => {
		const size = Buffer.byteLength(formatServerSentEvent({ data: "x" }));
		const stream = new EventStream(new Sink(false), size - 1, 0, undefined);
		expect(stream.send({ data: "x" })).toBe(true);
		await expect.poll(() => stream.closeReason).toBe("slow-consumer");
	});

	it("checks again after each burst: a client that falls behind in a later one is dropped too", async () => {
		const size = Buffer.byteLength(formatServerSentEvent({ data: "x" }));
		const sink = new Sink(false);
		const stream = new EventStream(sink, 10 * size, 0, undefined);
		for (let index = 0; index < 11; index++) stream.send({ data: "x" });
		await turn();
		await turn();
		expect(stream.closeReason).toBe("slow-consumer");
	});

	it("sends a heartbeat comment every heartbeatMs, and none once closed", async () => {
		const sink = new Sink();
		const stream = new EventStream(sink, 1_000, 10, undefined);
		await expect.poll(() => sink.written.length).toBeGreaterThanOrEqual(2);
		expect(new Set(sink.written)).toEqual(new Set([": heartbeat\n\n"]));
		stream.close();
		const count = sink.written.length;
		await new Promise((resolve) => setTimeout(resolve, 50));
		expect(sink.written.length).toBe(count);
	});
});

describe("the registry of open streams", () => {
	it("holds each stream from its opening to its closing", () => {
		const registry = new EventStreamRegistry();
		const first = new EventStream(new Sink(), 1_000, 0, registry);
		const second = new EventStream(new Sink(), 1_000, 0, registry);
		expect(registry.size).toBe(2);
		first.close();
		expect(registry.size).toBe(1);
		second.close();
		expect(registry.size).toBe(0);
	});

	it("closes them all, as shutdown unless told another reason, and says it is closing", () => {
		const registry = new EventStreamRegistry();
		expect(registry.closing).toBe(false);
		const streams = [1, 2, 3].map(() => new EventStream(new Sink(), 1_000, 0, registry));
		registry.closeAll();
		expect(registry.closing).toBe(true);
		expect(streams.map((stream) => stream.closeReason)).toEqual(["shutdown", "shutdown", "shutdown"]);
		expect(registry.size).toBe(0);
		const other = new EventStreamRegistry();
		const moved = new EventStream(new Sink(), 1_000, 0, other);
		other.closeAll("maintenance");
		expect(moved.closeReason).toBe("maintenance");
	});
});

describe("eventStream declarations", () => {
	it("take every 2xx code, and refuse the codes around them with a message naming the answer", () => {
		expect(eventStream(200, "a.stream").code).toBe(200);
		expect(eventStream(299, "a.stream").code).toBe(299);
		expect(() => eventStream(199, "a.stream")).toThrow(
			new DeclarationError('eventStream(199, "a.stream"): an event stream is a 2xx answer.'),
		);
		expect(() => eventStream(300, "a.stream")).toThrow(
			new DeclarationError('eventStream(300, "a.stream"): an event stream is a 2xx answer.'),
		);
	});

	it("refuse an info that is not a non-empty string", () => {
		const message = "eventStream(200): the info must be a non-empty string.";
		expect(() => eventStream(200, "")).toThrow(new DeclarationError(message));
		expect(() => eventStream(200, 7 as unknown as string)).toThrow(new DeclarationError(message));
	});

	it("carry their info, media type and event schema", () => {
		const schema = z.object({ n: z.number() });
		const declared = eventStream(201, "b.stream", { events: schema });
		expect(declared).toMatchObject({ code: 201, info: "b.stream", mediaType: "text/event-stream" });
		expect(declared.eventSchema).toBe(schema);
		expect(eventStream(200, "c.stream").eventSchema).toBeUndefined();
	});
});

describe("an event stream's head", () => {
	let running: App | undefined;
	afterEach(async () => {
		await running?.close();
		running = undefined;
	});

	async function serve(options: Parameters<ReturnType<typeof eventStream>["respond"]>[1], onOpen = () => {}) {
		const stream = eventStream(200, "s.stream");
		const app = createApp({ environment: "TEST", shutdownGrace: 100 });
		app.declareRoute("GET", "/s").handler((_floor, response) => stream.respond(response, options, onOpen), stream);
		running = app;
		const { port } = await app.listen({ host: "127.0.0.1", port: 0 });
		return { app, url: `http://127.0.0.1:${port}/s` };
	}

	it("tells proxies not to buffer, and hints a retry of 3 s by default", async () => {
		const { url } = await serve({});
		const client = await openSse(url);
		expect(client.headers["x-accel-buffering"]).toBe("no");
		await expect.poll(() => client.retries).toEqual([3_000]);
		client.close();
	});

	it("hints a whole, non-negative retry", async () => {
		for (const [retryMs, hint] of [
			[1_234.6, 1_235],
			[-5, 0],
		] as const) {
			const { url } = await serve({ retryMs });
			const client = await openSse(url);
			await expect.poll(() => client.retries).toEqual([hint]);
			client.close();
			await running?.close();
		}
	});

	it("answers HEAD with the head alone, and never opens the stream", async () => {
		let opened = false;
		const { url } = await serve({}, () => {
			opened = true;
		});
		const response = await fetch(url, { method: "HEAD" });
		expect(response.status).toBe(200);
		expect(response.headers.get("content-type")).toBe("text/event-stream; charset=utf-8");
		expect(await response.text()).toBe("");
		expect(opened).toBe(false);
	});

	it("sends no heartbeat with heartbeatMs 0", async () => {
		const { url } = await serve({ heartbeatMs: 0 }, () => {});
		const client = await openSse(url);
		await expect.poll(() => client.retries).toEqual([3_000]);
		await new Promise((resolve) => setTimeout(resolve, 80));
		expect(client.comments).toEqual([]);
		client.close();
	});

	it("is closed as shutdown when it opens while the app is shutting down", async () => {
		const reasons: string[] = [];
		const stream = eventStream(200, "late.stream");
		const late = createApp({ environment: "TEST", shutdownGrace: 100 });
		late
			.declareRoute("GET", "/late")
			.handler(
				(_floor, response) => stream.respond(response, {}, (open) => open.onClose((reason) => reasons.push(reason))),
				stream,
			);
		late.eventStreams.closeAll();
		const { port } = await late.listen({ host: "127.0.0.1", port: 0 });
		const client = await openSse(`http://127.0.0.1:${port}/late`);
		await client.ended();
		expect(reasons).toEqual(["shutdown"]);
		await late.close();
	});
});
