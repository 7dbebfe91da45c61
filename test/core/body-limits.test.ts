// The body limit at its edge (declared length, injected payload, streamed bytes), bodies that arrive in
// pieces, and the bodies of the body parser's refusals (400, 413, 415).
import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { createApp, type RawRequest } from "../../src/core/index.js";
import { collectResponse, type InjectResponse, InjectSink } from "../../src/core/inject.js";
import { unchecked } from "../helpers/unchecked.js";

const limit = 32;
const json = { "content-type": "application/json" };

function echoApp() {
	const app = createApp({ environment: "TEST", bodyLimit: limit });
	app
		.declareRoute("POST", "/echo")
		.extract({ body: z.unknown() })
		.handler(({ pickup }, response) =>
			unchecked(response)
				.code(200)
				.send({ body: pickup("body") ?? null }),
		);
	return app;
}

/** A JSON document of exactly `size` bytes: `{"t":"xxx…"}`. */
function jsonOfSize(size: number): Buffer {
	const bytes = Buffer.from(JSON.stringify({ t: "x".repeat(size - 8) }));
	expect(bytes.length).toBe(size);
	return bytes;
}

/** Sends a raw request (headers and payload as given, nothing added) through the app. */
async function sendRaw(raw: RawRequest): Promise<InjectResponse> {
	const app = echoApp();
	const sink = new InjectSink();
	const collected = collectResponse(sink);
	await app.handle(raw, sink);
	return collected;
}

/** A request whose body is read from a stream, as from a socket; `write` feeds it. */
function streamed(headers: Record<string, string>) {
	const body = new PassThrough();
	const raw = Object.assign(body, {
		method: "POST",
		url: "/echo",
		headers: { "content-type": "application/json", ...headers },
		socket: { remoteAddress: "127.0.0.1" },
	});
	const app = echoApp();
	const sink = new InjectSink();
	const collected = collectResponse(sink);
	const handled = app.handle(raw, sink);
	return { body, response: Promise.all([handled, collected]).then(([, response]) => response) };
}

describe("body limit", () => {
	it("accepts an injected body of exactly the limit", async () => {
		const bytes = jsonOfSize(limit);
		const response = await echoApp().inject({ method: "POST", url: "/echo", body: bytes, headers: json });
		expect(response.statusCode).toBe(200);
		expect(response.json()).toEqual({ body: { t: "x".repeat(limit - 8) } });
	});

	it("refuses an injected body one byte over the limit with 413", async () => {
		const response = await echoApp().inject({
			method: "POST",
			url: "/echo",
			body: jsonOfSize(limit + 1),
			headers: json,
		});
		expect(response.statusCode).toBe(413);
		expect(response.info).toBe("PAYLOAD_TOO_LARGE");
	});

	it("judges a payload by its size when no length is declared", async () => {
		const base = { method: "POST", url: "/echo", socket: { remoteAddress: "127.0.0.1" } };
		const atLimit = await sendRaw({ ...base, headers: { ...json }, payload: jsonOfSize(limit) });
		expect(atLimit.statusCode).toBe(200);
		const over = await sendRaw({ ...base, headers: { ...json }, payload: jsonOfSize(limit + 1) });
		expect(over.statusCode).toBe(413);
	});

	it("refuses a declared length over the limit, whatever the body holds", async () => {
		const response = await sendRaw({
			method: "POST",
			url: "/echo",
			headers: { ...json, "content-length": String(limit + 1) },
			payload: Buffer.from("{}"),
		});
		expect(response.statusCode).toBe(413);
	});

	it("accepts a declared length of exactly the limit", async () => {
		const response = await sendRaw({
			method: "POST",
			url: "/echo",
			headers: { ...json, "content-length": String(limit) },
			payload: Buffer.from("{}"),
		});
		expect(response.statusCode).toBe(200);
		expect(response.json()).toEqual({ body: {} });
	});

	it("answers 413 for a declared length before any of the body has arrived", async () => {
		const { body, response } = streamed({ "content-length": String(limit + 1) });
		// Nothing is written: the answer cannot wait for the body.
		const answer = await response;
		body.end();
		expect(answer.statusCode).toBe(413);
		expect(answer.json()).toEqual({
			error: "PAYLOAD_TOO_LARGE",
			message: `The request body is larger than ${limit} bytes.`,
		});
	});

	it("accepts a streamed body of exactly the limit, arriving in pieces", async () => {
		const { body, response } = streamed({ "transfer-encoding": "chunked" });
		const bytes = jsonOfSize(limit);
		body.write(bytes.subarray(0, 5));
		body.write(bytes.subarray(5, 20));
		body.end(bytes.subarray(20));
		const answer = await response;
		expect(answer.statusCode).toBe(200);
		expect(answer.json()).toEqual({ body: { t: "x".repeat(limit - 8) } });
	});

	it("refuses a streamed body one byte over the limit with 413", async () => {
		const { body, response } = streamed({ "transfer-encoding": "chunked" });
		const bytes = jsonOfSize(limit + 1);
		body.write(bytes.subarray(0, limit));
		body.end(bytes.subarray(limit));
		const answer = await response;
		expect(answer.statusCode).toBe(413);
		expect(answer.json().error).toBe("PAYLOAD_TOO_LARGE");
	});
});

describe("streamed body", () => {
	it("parses a JSON body from all of its pieces", async () => {
		const { body, response } = streamed({ "content-length": "13" });
		body.write('{"a":');
		body.write("[1,");
		body.end("2]}");
		expect((await response).json()).toEqual({ body: { a: [1, 2] } });
	});

	it("is not read at all when the request declares no length and no chunked encoding", async () => {
		// The stream never ends: reading it would never answer.
		const { body, response } = streamed({});
		const answer = await response;
		body.end();
		expect(answer.statusCode).toBe(200);
		expect(answer.json()).toEqual({ body: null });
	});

	it("is not read at all when the declared length is 0", async () => {
		const { body, response } = streamed({ "content-length": "0" });
		const answer = await response;
		body.end();
		expect(answer.json()).toEqual({ body: null });
	});

	it("leaves the body undefined when a chunked body turns out empty", async () => {
		const { body, response } = streamed({ "transfer-encoding": "chunked" });
		body.end();
		const answer = await response;
		expect(answer.statusCode).toBe(200);
		expect(answer.json()).toEqual({ body: null });
	});

	it("answers 500 when the client goes away mid-upload", async () => {
		const { body, response } = streamed({ "content-length": "20" });
		body.write('{"a":');
		body.destroy(new Error("aborted"));
		const answer = await response;
		expect(answer.statusCode).toBe(500);
	});
});

describe("body parser refusals", () => {
	it("answers a content type it does not parse with 415, naming it and the supported types", async () => {
		const response = await echoApp().inject({
			method: "POST",
			url: "/echo",
			headers: { "content-type": "Application/XML; charset=utf-8" },
			body: Buffer.from("<a/>"),
		});
		expect(response.statusCode).toBe(415);
		expect(response.json()).toEqual({
			error: "UNSUPPORTED_MEDIA_TYPE",
			message: "The content type application/xml is not supported here.",
			supported: ["application/json", "application/*+json", "text/*", "application/x-www-form-urlencoded"],
		});
	});

	it("answers a body without content type with 415 saying so", async () => {
		const response = await echoApp().inject({ method: "POST", url: "/echo", body: Buffer.from("??") });
		expect(response.statusCode).toBe(415);
		expect(response.json().message).toBe("The request has a body but no content-type header.");
	});

	it("answers malformed JSON with 400 and the parser's reason", async () => {
		const response = await echoApp().inject({ method: "POST", url: "/echo", headers: json, body: Buffer.from("{") });
		expect(response.statusCode).toBe(400);
		expect(response.json().error).toBe("BODY_PARSE_ERROR");
		expect(response.json().message).toMatch(/^The body is not valid JSON: \S/);
	});
});

describe("body media types", () => {
	it("reads the media type before its parameters, in any case", async () => {
		const response = await echoApp().inject({
			method: "POST",
			url: "/echo",
			headers: { "content-type": " Application/JSON ; charset=utf-8" },
			body: Buffer.from('{"a":1}'),
		});
		expect(response.json()).toEqual({ body: { a: 1 } });
	});

	it("reads a text type ending in +json as text", async () => {
		const response = await echoApp().inject({
			method: "POST",
			url: "/echo",
			headers: { "content-type": "text/x+json" },
			body: Buffer.from("not json"),
		});
		expect(response.json()).toEqual({ body: "not json" });
	});

	it("refuses an application type that only starts like JSON", async () => {
		const response = await echoApp().inject({
			method: "POST",
			url: "/echo",
			headers: { "content-type": "application/jsonl" },
			body: Buffer.from("{}"),
		});
		expect(response.statusCode).toBe(415);
	});
});
