// Specification of event-stream answers: the pipeline runs first, then the stream opens with its hint, heartbeats,
// backpressure cap and shutdown; OpenAPI documents it.
import { Agent, get as httpGet } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import {
	type App,
	createApp,
	createChecker,
	type EventStream,
	type EventStreamCloseReason,
	type EventStreamOptions,
	eventStream,
	formatServerSentEvent,
	generateOpenApi,
	refusal,
} from "../../src/core/index.js";
import { openSse } from "../helpers/sse-client.js";

let running: App | undefined;
afterEach(async () => {
	await running?.close();
	running = undefined;
});

const ticks = eventStream(200, "ticks.stream", { events: z.object({ n: z.number() }) });
const keyMissing = refusal(401, "key.missing", "Say the key.");
const keyValid = createChecker("keyValid").handler((key: string | undefined, output) =>
	key === "open" ? output("key.valid", key) : output("key.invalid", null),
);

/** An app with one stream route behind a checker; `opened` receives each stream the handler opens. */
async function serveStream(options: EventStreamOptions, opened: (stream: EventStream) => void) {
	const app = createApp({ environment: "TEST", shutdownGrace: 100 });
	app
		.declareRoute("GET", "/ticks")
		.extract({ headers: { "x-key": z.string().optional() } })
		.check(keyValid, { input: (pickup) => pickup("x-key"), result: "key.valid", catch: keyMissing })
		.handler((_floor, response) => ticks.respond(response, options, opened), ticks);
	running = app;
	const { port } = await app.listen({ host: "127.0.0.1", port: 0 });
	return { app, url: `http://127.0.0.1:${port}/ticks` };
}

describe("eventStream answers", () => {
	it("run the pipeline first: a refusal before the handler is an ordinary JSON answer", async () => {
		const { url } = await serveStream({}, () => {});
		const client = await openSse(url);
		await client.ended();
		expect(client.status).toBe(401);
		expect(client.headers.info).toBe("key.missing");
		expect(JSON.parse(client.text())).toEqual({ error: "key.missing", message: "Say the key." });
	});

	it("open with the event-stream head, the declared info and the retry hint", async () => {
		const { url } = await serveStream({ retryMs: 2500 }, () => {});
		const client = await openSse(url, { "x-key": "open" });
		expect(client.status).toBe(200);
		expect(client.headers["content-type"]).toBe("text/event-stream; charset=utf-8");
		expect(client.headers["cache-control"]).toBe("no-cache, no-transform");
		expect(client.headers.info).toBe("ticks.stream");
		expect(client.headers["x-request-id"]).toEqual(expect.any(String));
		await expect.poll(() => client.retries).toEqual([2500]);
		client.close();
	});

	it("close the connection with the stream (Connection: close), rather than keep an idle socket", async () => {
		const { url } = await serveStream({}, (stream) => stream.close());
		const { status, connection } = await new Promise<{ status: number; connection: string | undefined }>(
			(resolve, reject) => {
				const agent = new Agent({ keepAlive: true });
				const request = httpGet(url, { agent, headers: { "x-key": "open" } }, (response) => {
					response.resume();
					response.on("end", () => {
						agent.destroy();
						resolve({ status: response.statusCode ?? 0, connection: response.headers.connection });
					});
				});
				request.on("error", reject);
			},
		);
		expect(status).toBe(200);
		expect(connection).toBe("close");
	});

	it("send events with their id and type, JSON data spread over lines", async () => {
		const { url } = await serveStream({}, (stream) => {
			stream.send({ id: 7, event: "tick", data: { n: 1 } });
			stream.send({ data: "two\nlines" });
		});
		const client = await openSse(url, { "x-key": "open" });
		const first = await client.next();
		expect(first).toMatchObject({ id: "7", event: "tick", json: { n: 1 } });
		const second = await client.next((event) => event.data.startsWith("two"));
		expect(second.data).toBe("two\nlines");
		expect(client.text()).toContain("data: two\ndata: lines\n\n");
		client.close();
	});

	it("send a heartbeat comment while idle", async () => {
		const { url } = await serveStream({ heartbeatMs: 30 }, () => {});
		const client = await openSse(url, { "x-key": "open" });
		await expect.poll(() => client.comments.filter((line) => line === "heartbeat").length).toBeGreaterThanOrEqual(2);
		client.close();
	});

	it("tell the handler when the client goes away", async () => {
		const reasons: EventStreamCloseReason[] = [];
		let open: EventStream | undefined;
		const { app, url } = await serveStream({}, (stream) => {
			open = stream;
			stream.onClose((reason) => reasons.push(reason));
		});
		const client = await openSse(url, { "x-key": "open" });
		await expect.poll(() => app.eventStreams.size).toBe(1);
		client.close();
		await expect.poll(() => reasons).toEqual(["client-closed"]);
		expect(open?.closed).toBe(true);
		expect(open?.send({ data: "late" })).toBe(false);
		expect(app.eventStreams.size).toBe(0);
	});

	it("end the stream when the server closes it", async () => {
		const { url } = await serveStream({}, (stream) => {
			stream.send({ data: "bye" });
			stream.close();
		});
		const client = await openSse(url, { "x-key": "open" });
		await client.ended();
		expect(client.events.map((event) => event.data)).toEqual(["bye"]);
	});

	it("drop a client that does not read once its unread bytes stay past the cap", async () => {
		const reasons: EventStreamCloseReason[] = [];
		let open: EventStream | undefined;
		const { url } = await serveStream({ maxBufferedBytes: 64 * 1024, heartbeatMs: 0 }, (stream) => {
			open = stream;
			stream.onClose((reason) => reasons.push(reason));
		});
		const client = await openSse(url, { "x-key": "open" });
		client.pause();
		await expect.poll(() => open).toBeDefined();
		const chunk = "x".repeat(16 * 1024);
		// One event per turn of the event loop: the kernel's socket buffers take the first megabytes, then Node holds the rest.
		let sent = 0;
		while ((open as EventStream).send({ data: chunk }) && sent < 5_000) {
			sent++;
			await new Promise((resolve) => setImmediate(resolve));
		}
		await expect.poll(() => reasons).toEqual(["slow-consumer"]);
		expect(sent).toBeLessThan(5_000);
		client.close();
	});

	it("keep a client that reads through a burst briefly over the cap", async () => {
		let open: EventStream | undefined;
		const { url } = await serveStream({ maxBufferedBytes: 64 * 1024, heartbeatMs: 0 }, (stream) => {
			open = stream;
		});
		const client = await openSse(url, { "x-key": "open" });
		await expect.poll(() => open).toBeDefined();
		const chunk = "y".repeat(16 * 1024);
		// 160 KiB in one tick: over the cap until the socket takes it, under the hard limit of four times the cap.
		for (let index = 0; index < 10; index++) expect((open as EventStream).send({ id: index, data: chunk })).toBe(true);
		await client.next((event) => event.id === "9");
		expect(open?.closed).toBe(false);
		client.close();
	});

	it("drop at once a client whose unread bytes pass four times the cap", async () => {
		let open: EventStream | undefined;
		const { url } = await serveStream({ maxBufferedBytes: 16 * 1024, heartbeatMs: 0 }, (stream) => {
			open = stream;
		});
		const client = await openSse(url, { "x-key": "open" });
		await expect.poll(() => open).toBeDefined();
		const chunk = "z".repeat(16 * 1024);
		const results = Array.from({ length: 8 }, () => (open as EventStream).send({ data: chunk }));
		expect(results).toContain(false);
		expect(open?.closeReason).toBe("slow-consumer");
		client.close();
	});

	it("end every open stream when the app shuts down, without waiting for the deadline", async () => {
		const reasons: EventStreamCloseReason[] = [];
		const app = createApp({ environment: "TEST", shutdownGrace: 100, shutdownTimeout: 5_000 });
		app
			.declareRoute("GET", "/ticks")
			.handler(
				(_floor, response) => ticks.respond(response, {}, (stream) => stream.onClose((reason) => reasons.push(reason))),
				ticks,
			);
		const { port } = await app.listen({ host: "127.0.0.1", port: 0 });
		const clients = await Promise.all([1, 2].map(() => openSse(`http://127.0.0.1:${port}/ticks`)));
		await expect.poll(() => app.eventStreams.size).toBe(2);
		const started = performance.now();
		await app.close();
		expect(performance.now() - started).toBeLessThan(4_000);
		expect(reasons).toEqual(["shutdown", "shutdown"]);
		for (const client of clients) await client.ended();
	});
});

describe("formatServerSentEvent", () => {
	it("refuses an id or event type spanning lines (it would forge fields)", () => {
		expect(() => formatServerSentEvent({ id: "1\ndata: forged", data: "x" })).toThrow(/id cannot span lines/);
		expect(() => formatServerSentEvent({ event: "a\rb", data: "x" })).toThrow(/event cannot span lines/);
	});

	it("splits data on every kind of line break", () => {
		expect(formatServerSentEvent({ data: "a\r\nb\rc\nd" })).toBe("data: a\ndata: b\ndata: c\ndata: d\n\n");
	});
});

describe("eventStream declarations", () => {
	it("refuse a code outside 2xx and an empty info", () => {
		expect(() => eventStream(404, "ticks.stream")).toThrow(/is a 2xx answer/);
		expect(() => eventStream(200, "")).toThrow(/non-empty string/);
	});

	it("are documented as text/event-stream with the schema of one event", () => {
		const app = createApp({ environment: "TEST" });
		app.declareRoute("GET", "/ticks").handler((_floor, response) => ticks.respond(response, {}, () => {}), ticks);
		const document = generateOpenApi(app.routes, { info: { title: "t", version: "1" } });
		const answer = document.paths["/ticks"]?.get?.responses["200"];
		expect(answer?.["x-infos"]).toEqual(["ticks.stream"]);
		expect(answer?.content?.["text/event-stream"]?.schema).toMatchObject({ type: "string" });
		expect(answer?.content?.["text/event-stream"]?.["x-event-schema"]).toMatchObject({
			type: "object",
			properties: { n: { type: "number" } },
		});
		expect(answer?.content?.["application/json"]).toBeUndefined();
	});
});
