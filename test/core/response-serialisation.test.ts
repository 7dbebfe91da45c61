// How a sent body reaches the client: content types (own or chosen), lengths, empty bodies, HEAD, files and streams.
import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { beforeAll, describe, expect, it } from "vitest";
import { createApp, type Response } from "../../src/core/index.js";
import { unchecked } from "../helpers/unchecked.js";

/** An app serving `send` at GET /r (and HEAD /r, answered like GET). */
function serving(send: (response: Response) => unknown) {
	const app = createApp({ environment: "TEST" });
	app.declareRoute("GET", "/r").handler((_floor, response) => send(unchecked(response)));
	return app;
}

describe("serialised bodies", () => {
	it("keeps a content type the step set for text, bytes and JSON", async () => {
		for (const body of ["a,b", Buffer.from("a,b"), { a: 1 }]) {
			const response = await serving((r) => r.code(200).header("content-type", "text/csv").respond(body)).inject({
				url: "/r",
			});
			expect(response.headers["content-type"]).toBe("text/csv");
		}
	});

	it("sends JSON with its byte length", async () => {
		const response = await serving((r) => r.code(200).respond({ name: "é" })).inject({ url: "/r" });
		expect(response.body).toBe('{"name":"é"}');
		expect(response.headers["content-length"]).toBe(Buffer.byteLength('{"name":"é"}'));
	});

	it("sends a null or missing body as an empty one of length 0", async () => {
		for (const body of [null, undefined]) {
			const response = await serving((r) => r.code(200).respond(body)).inject({ url: "/r" });
			expect(response.body).toBe("");
			expect(response.headers["content-length"]).toBe(0);
			expect(response.headers["content-type"]).toBeUndefined();
		}
	});

	it("sends no content-length with an empty 204 or 304", async () => {
		for (const code of [204, 304]) {
			const response = await serving((r) => r.code(code).respond()).inject({ url: "/r" });
			expect(response.statusCode).toBe(code);
			expect(Object.keys(response.headers)).not.toContain("content-length");
		}
	});

	it("answers HEAD with the headers of GET and no body", async () => {
		const response = await serving((r) => r.code(200).info("thing.found").respond({ a: 1 })).inject({
			method: "HEAD",
			url: "/r",
		});
		expect(response.statusCode).toBe(200);
		expect(response.info).toBe("thing.found");
		expect(response.headers["content-length"]).toBe(7);
		expect(response.body).toBe("");
	});

	it("puts the request id on every answer", async () => {
		const response = await serving((r) => r.code(200).respond()).inject({
			url: "/r",
			headers: { "x-request-id": "trace-42" },
		});
		expect(response.headers["x-request-id"]).toBe("trace-42");
		expect(Object.keys(response.headers)).not.toContain("info");
	});
});

describe("files", () => {
	let folder = "";
	beforeAll(async () => {
		folder = await mkdtemp(join(tmpdir(), "core-files-"));
		for (const name of ["a.css", "b.SVG", "c.json", "d.unknown", "e", "f.png", "g.woff2", "h.txt", "i.js"])
			await writeFile(join(folder, name), "12345");
		await mkdir(join(folder, "folder.html"));
	});

	it("takes its content type from the extension, in any case", async () => {
		const expected: Record<string, string> = {
			"a.css": "text/css; charset=utf-8",
			"b.SVG": "image/svg+xml",
			"c.json": "application/json; charset=utf-8",
			"f.png": "image/png",
			"g.woff2": "font/woff2",
			"h.txt": "text/plain; charset=utf-8",
			"i.js": "text/javascript; charset=utf-8",
			"d.unknown": "application/octet-stream",
			e: "application/octet-stream",
		};
		for (const [name, type] of Object.entries(expected)) {
			const response = await serving((r) => r.sendFile(join(folder, name))).inject({ url: "/r" });
			expect([name, response.headers["content-type"]]).toEqual([name, type]);
			expect(response.body).toBe("12345");
		}
	});

	it("uses the content type given over the extension's, and one the step set over both", async () => {
		const given = await serving((r) => r.sendFile(join(folder, "a.css"), "text/x-less")).inject({ url: "/r" });
		expect(given.headers["content-type"]).toBe("text/x-less");
		const set = await serving((r) => r.header("content-type", "text/plain").sendFile(join(folder, "a.css"))).inject({
			url: "/r",
		});
		expect(set.headers["content-type"]).toBe("text/plain");
	});

	it("answers a directory like a missing file: 404 NOT_FOUND as JSON", async () => {
		const response = await serving((r) => r.sendFile(join(folder, "folder.html"))).inject({ url: "/r" });
		expect(response.statusCode).toBe(404);
		expect(response.info).toBe("NOT_FOUND");
		expect(response.headers["content-type"]).toBe("application/json; charset=utf-8");
		expect(response.json()).toEqual({ error: "NOT_FOUND", message: "The file does not exist." });
		expect(response.headers["content-length"]).toBe(response.rawBody.length);
		expect(typeof response.headers["x-request-id"]).toBe("string");
	});

	it("answers HEAD for a file with its length and no body", async () => {
		const response = await serving((r) => r.sendFile(join(folder, "h.txt"))).inject({ method: "HEAD", url: "/r" });
		expect(response.headers["content-length"]).toBe(5);
		expect(response.body).toBe("");
	});
});

describe("streams", () => {
	it("are sent as bytes unless a content type is given", async () => {
		const response = await serving((r) => r.stream(Readable.from([Buffer.from("ab")]))).inject({ url: "/r" });
		expect(response.headers["content-type"]).toBe("application/octet-stream");
		expect(response.body).toBe("ab");
	});

	it("are not read for HEAD, and are closed", async () => {
		const readable = Readable.from(["never read"]);
		const response = await serving((r) => r.stream(readable, "text/plain")).inject({ method: "HEAD", url: "/r" });
		expect(response.headers["content-type"]).toBe("text/plain");
		expect(response.body).toBe("");
		expect(readable.destroyed).toBe(true);
	});
});
