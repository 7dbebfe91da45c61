// Specification of the bounds of a multipart body, each at its exact edge: the largest body a form may have (its
// declared length and its streamed bytes), the largest ordinary field, how many fields and files, and the bodies
// that are no body at all.
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { connect, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { type App, answer, createApp, type MultipartOptions, multipart, text } from "../../src/core/index.js";
import { type FormPart, formBody, tinyPng } from "../helpers/multipart-body.js";

const received = answer(200, "form.received", z.record(z.string(), z.unknown()));

let directory: string;
let running: App | undefined;

beforeEach(async () => {
	directory = await mkdtemp(join(tmpdir(), "multipart-limits-"));
});
afterEach(async () => {
	await running?.close();
	running = undefined;
	await rm(directory, { recursive: true, force: true });
});

/** An app with one route, POST /form, that reads `options` and answers what each field received. */
function formApp(options: Omit<MultipartOptions, "directory">) {
	const declaration = multipart({ ...options, directory } as MultipartOptions);
	const app = createApp({ environment: "TEST", shutdownGrace: 100 });
	app
		.declareRoute("POST", "/form")
		.extract({ multipart: declaration })
		.handler(({ pickup }, response) => {
			const floor: Record<string, unknown> = {};
			for (const key of declaration.keys) {
				const value = (pickup as (key: string) => unknown)(key);
				const describe = (file: unknown) => {
					const { originalName, size, detectedType } = file as Record<string, unknown>;
					return { originalName, size, detectedType };
				};
				const isFile = declaration.files.some((field) => field.name === key);
				floor[key] =
					!isFile || value === undefined ? value : Array.isArray(value) ? value.map(describe) : describe(value);
			}
			return received.respond(response, floor);
		}, received);
	return { app, declaration };
}

function post(app: App, body: Buffer, contentType: string) {
	return app.inject({ method: "POST", url: "/form", headers: { "content-type": contentType }, body });
}

function sendForm(app: App, parts: readonly FormPart[]) {
	const form = formBody(parts);
	return post(app, form.body, form.contentType);
}

/** A form padded with a preamble (text before the first boundary, which a reader skips) to exactly `length` bytes. */
function formOfLength(parts: readonly FormPart[], length: number) {
	const form = formBody(parts);
	const padding = length - form.body.length - 2;
	if (padding < 0) throw new Error("the form is longer than the length asked");
	return { body: Buffer.concat([Buffer.alloc(padding, 0x61), Buffer.from("\r\n"), form.body]), type: form.contentType };
}

const picture = (content: Buffer = tinyPng, name = "a.png"): FormPart => ({
	name: "picture",
	filename: name,
	type: "image/png",
	content,
});

describe("the largest body a form may have", () => {
	it("is every file at its largest, every field at its largest, and 2 KiB for each part and the closing", () => {
		const { declaration } = formApp({
			files: {
				picture: { types: ["image/png"], maxBytes: 1000, maxCount: 2 },
				banner: { types: ["image/png"], maxBytes: 300 },
			},
			fields: { note: text() },
			maxFields: 3,
			maxFieldBytes: 100,
		});
		// Files 2 × 1000 + 300, fields 3 × 100, parts (3 files + 3 fields + 1) × 2048.
		expect(declaration.maxBodyBytes).toBe(2_000 + 300 + 300 + 7 * 2_048);
	});

	it("reads a body of exactly that many bytes, and answers 413 to one byte more, before reading it", async () => {
		const { app, declaration } = formApp({
			files: { picture: { types: ["image/png"], maxBytes: 1000 } },
			maxFieldBytes: 10,
		});
		const limit = declaration.maxBodyBytes;
		const exact = formOfLength([picture()], limit);
		expect(exact.body.length).toBe(limit);
		const accepted = await post(app, exact.body, exact.type);
		expect(accepted.statusCode).toBe(200);
		expect(accepted.json()).toEqual({
			picture: { originalName: "a.png", size: tinyPng.length, detectedType: "image/png" },
		});

		const over = formOfLength([picture()], limit + 1);
		const refused = await post(app, over.body, over.type);
		expect(refused.statusCode).toBe(413);
		expect(refused.info).toBe("PAYLOAD_TOO_LARGE");
		expect(refused.json()).toEqual({
			error: "PAYLOAD_TOO_LARGE",
			message: `The request body is larger than ${limit} bytes.`,
		});
		expect(await readdir(directory)).toEqual([]);
	});
});

describe("a multipart body streamed without a declared length", () => {
	function openSocket(port: number): Promise<Socket> {
		return new Promise((resolve, reject) => {
			const socket = connect(port, "127.0.0.1", () => resolve(socket));
			socket.once("error", reject);
		});
	}

	/** Sends `body` chunked (no Content-Length), in pieces of 256 bytes, and resolves the whole raw answer. */
	async function sendChunked(port: number, body: Buffer, contentType: string): Promise<string> {
		const socket = await openSocket(port);
		socket.on("error", () => undefined);
		let answer = "";
		socket.on("data", (chunk: Buffer) => {
			answer += chunk.toString("latin1");
		});
		const closed = new Promise<void>((resolve) => socket.once("close", () => resolve()));
		const head = `POST /form HTTP/1.1\r\nHost: test\r\nConnection: close\r\nContent-Type: ${contentType}\r\nTransfer-Encoding: chunked\r\n\r\n`;
		const pieces: Buffer[] = [Buffer.from(head, "latin1")];
		for (let start = 0; start < body.length; start += 256) {
			const piece = body.subarray(start, start + 256);
			pieces.push(Buffer.from(`${piece.length.toString(16)}\r\n`), piece, Buffer.from("\r\n"));
		}
		pieces.push(Buffer.from("0\r\n\r\n"));
		socket.write(Buffer.concat(pieces));
		await closed;
		return answer;
	}

	it("is read when its bytes come to exactly the form's largest body, and answered 413 at one byte more", async () => {
		const { app, declaration } = formApp({
			files: { picture: { types: ["image/png"], maxBytes: 1000 } },
			maxFieldBytes: 10,
		});
		running = app;
		const { port } = await app.listen({ host: "127.0.0.1", port: 0 });
		const limit = declaration.maxBodyBytes;

		const exact = formOfLength([picture()], limit);
		const accepted = await sendChunked(port, exact.body, exact.type);
		expect(accepted).toMatch(/^HTTP\/1\.1 200 /);
		expect(accepted).toContain('"originalName":"a.png"');

		const over = formOfLength([picture()], limit + 1);
		const refused = await sendChunked(port, over.body, over.type);
		expect(refused).toMatch(/^HTTP\/1\.1 413 /);
		expect(refused).toContain(
			`{"error":"PAYLOAD_TOO_LARGE","message":"The request body is larger than ${limit} bytes."}`,
		);
		await expect.poll(() => readdir(directory)).toEqual([]);
	});
});

describe("ordinary fields", () => {
	it("take a value of exactly maxFieldBytes, and answer 413 naming the field to one byte more", async () => {
		const { app } = formApp({ files: {}, fields: { note: text() }, maxFieldBytes: 8 });
		const accepted = await sendForm(app, [{ name: "note", content: "12345678" }]);
		expect(accepted.statusCode).toBe(200);
		expect(accepted.json()).toEqual({ note: "12345678" });

		const refused = await sendForm(app, [{ name: "note", content: "123456789" }]);
		expect(refused.statusCode).toBe(413);
		expect(refused.json()).toEqual({
			error: "PAYLOAD_TOO_LARGE",
			message: '"note" is longer than 8 bytes.',
			field: "note",
		});
	});

	it("take 64 KiB by default", async () => {
		const { app, declaration } = formApp({ files: {}, fields: { note: text() } });
		expect(declaration.maxFieldBytes).toBe(65_536);
		const accepted = await sendForm(app, [{ name: "note", content: "x".repeat(65_536) }]);
		expect(accepted.statusCode).toBe(200);
		const refused = await sendForm(app, [{ name: "note", content: "x".repeat(65_537) }]);
		expect(refused.statusCode).toBe(413);
		expect(refused.json()).toMatchObject({ message: '"note" is longer than 65536 bytes.' });
	});

	it("are as many as maxFields, and one more answers 400 saying how many the form takes", async () => {
		const { app } = formApp({ files: {}, fields: { tag: z.array(z.string()) }, maxFields: 3 });
		const tags = (count: number) =>
			Array.from({ length: count }, (_, index) => ({ name: "tag", content: `t${index}` }));
		const accepted = await sendForm(app, tags(3));
		expect(accepted.statusCode).toBe(200);
		expect(accepted.json()).toEqual({ tag: ["t0", "t1", "t2"] });

		const refused = await sendForm(app, tags(4));
		expect(refused.statusCode).toBe(400);
		expect(refused.info).toBe("MULTIPART_INVALID");
		expect(refused.json()).toEqual({
			error: "MULTIPART_INVALID",
			message: "The form takes at most 3 ordinary fields.",
		});
	});

	it("are one per declared field by default", async () => {
		const { app, declaration } = formApp({ files: {}, fields: { a: text(), b: text() } });
		expect(declaration.maxFields).toBe(2);
		const refused = await sendForm(app, [
			{ name: "a", content: "1" },
			{ name: "b", content: "2" },
			{ name: "a", content: "3" },
		]);
		expect(refused.json()).toEqual({
			error: "MULTIPART_INVALID",
			message: "The form takes at most 2 ordinary fields.",
		});
	});

	it("keep the values of a repeated name in the order they came", async () => {
		const { app } = formApp({ files: {}, fields: { tag: z.array(z.string()) }, maxFields: 5 });
		const response = await sendForm(
			app,
			["c", "a", "b"].map((content) => ({ name: "tag", content })),
		);
		expect(response.json()).toEqual({ tag: ["c", "a", "b"] });
	});

	it("give a name sent twice a list of its two values", async () => {
		const { app } = formApp({ files: {}, fields: { tag: z.array(z.string()) }, maxFields: 5 });
		const response = await sendForm(app, [
			{ name: "tag", content: "first" },
			{ name: "tag", content: "second" },
		]);
		expect(response.json()).toEqual({ tag: ["first", "second"] });
	});
});

describe("file fields", () => {
	it("take as many files as maxCount, in the order their parts came, and say so at one more", async () => {
		const { app } = formApp({ files: { picture: { types: ["image/png"], maxBytes: 200_000, maxCount: 3 } } });
		// The first file is large and the last small: the small one is written first, yet stays last.
		const large = Buffer.concat([tinyPng, Buffer.alloc(150_000)]);
		const accepted = await sendForm(app, [
			picture(large, "1.png"),
			picture(tinyPng, "2.png"),
			picture(tinyPng, "3.png"),
		]);
		expect(accepted.statusCode).toBe(200);
		expect(accepted.json()).toEqual({
			picture: [
				{ originalName: "1.png", size: large.length, detectedType: "image/png" },
				{ originalName: "2.png", size: tinyPng.length, detectedType: "image/png" },
				{ originalName: "3.png", size: tinyPng.length, detectedType: "image/png" },
			],
		});

		const refused = await sendForm(
			app,
			[1, 2, 3, 4].map((index) => picture(tinyPng, `${index}.png`)),
		);
		expect(refused.statusCode).toBe(400);
		expect(refused.json()).toEqual({
			error: "MULTIPART_INVALID",
			message: '"picture" takes at most 3 files.',
			field: "picture",
		});
		await expect.poll(() => readdir(directory)).toEqual([]);
	});

	it("take a file of exactly maxBytes", async () => {
		const { app } = formApp({ files: { picture: { types: ["image/png"], maxBytes: 5_000 } } });
		const exact = Buffer.concat([tinyPng, Buffer.alloc(5_000 - tinyPng.length)]);
		const response = await sendForm(app, [picture(exact)]);
		expect(response.statusCode).toBe(200);
		expect(response.json()).toEqual({ picture: { originalName: "a.png", size: 5_000, detectedType: "image/png" } });
	});

	it("answer 400 naming the field to a file in a field that takes a value", async () => {
		const { app } = formApp({ files: {}, fields: { note: text() } });
		const response = await sendForm(app, [{ name: "note", filename: "note.txt", type: "text/plain", content: "hi" }]);
		expect(response.statusCode).toBe(400);
		expect(response.json()).toEqual({
			error: "MULTIPART_INVALID",
			message: '"note" takes a value, not a file.',
			field: "note",
		});
	});

	it("answer 400 naming the field to a file in a field the form does not have", async () => {
		const { app } = formApp({ files: { picture: { types: ["image/png"], maxBytes: 5_000 } } });
		const response = await sendForm(app, [{ ...picture(), name: "avatar" }]);
		expect(response.json()).toEqual({
			error: "MULTIPART_INVALID",
			message: 'The form takes no file named "avatar".',
			field: "avatar",
		});
	});

	it("read a part that names no file as a file all the same, and leave out undeclared values", async () => {
		const { app } = formApp({ files: { picture: { types: ["image/png"], maxBytes: 5_000 } }, maxFields: 1 });
		const asFile = await sendForm(app, [
			{ name: "picture", type: "image/png", content: tinyPng },
			{ name: "other", content: "x" },
		]);
		expect(asFile.statusCode).toBe(200);
		expect(asFile.json()).toEqual({ picture: { originalName: "", size: tinyPng.length, detectedType: "image/png" } });
	});

	it("refuse a part sent with a Content-Transfer-Encoding RFC 7578 leaves out", async () => {
		const { app } = formApp({ files: { picture: { types: ["image/png"], maxBytes: 5_000 } } });
		const boundary = "----limits0123";
		const encoded = (encoding: string) =>
			Buffer.from(
				`--${boundary}\r\nContent-Disposition: form-data; name="picture"; filename="a.png"\r\nContent-Type: image/png\r\n` +
					`Content-Transfer-Encoding: ${encoding}\r\n\r\n${tinyPng.toString(encoding === "base64" ? "base64" : "latin1")}\r\n--${boundary}--\r\n`,
				"latin1",
			);
		const type = `multipart/form-data; boundary=${boundary}`;
		const refused = await post(app, encoded("base64"), type);
		expect(refused.statusCode).toBe(400);
		expect(refused.json()).toEqual({
			error: "MULTIPART_INVALID",
			message: '"picture" is sent with Content-Transfer-Encoding base64.',
			field: "picture",
		});
		for (const encoding of ["binary", "8bit", "BINARY"]) {
			const accepted = await post(app, encoded(encoding), type);
			expect(accepted.statusCode).toBe(200);
		}
		expect(await readdir(directory)).toEqual([]);
	});
});

describe("bodies that are no body", () => {
	it("an empty body on a form with nothing required is an empty form", async () => {
		const { app } = formApp({
			files: { picture: { types: ["image/png"], maxBytes: 5_000, required: false } },
			fields: { note: text().optional() },
		});
		const response = await app.inject({ method: "POST", url: "/form" });
		expect(response.statusCode).toBe(200);
		expect(response.json()).toEqual({});
	});

	it("an empty body, whatever its content type says, misses the required file", async () => {
		const { app } = formApp({ files: { picture: { types: ["image/png"], maxBytes: 5_000 } } });
		const response = await post(app, Buffer.alloc(0), "application/json");
		expect(response.statusCode).toBe(400);
		expect(response.info).toBe("TYPE_ERROR.multipart.picture");
	});

	it("over a connection, Content-Length 0 and no length at all are both an empty form", async () => {
		const { app } = formApp({ files: { picture: { types: ["image/png"], maxBytes: 5_000, required: false } } });
		running = app;
		const { port } = await app.listen({ host: "127.0.0.1", port: 0 });
		for (const length of ["0", undefined]) {
			const response = await fetch(`http://127.0.0.1:${port}/form`, {
				method: "POST",
				headers: length === undefined ? {} : { "content-length": length },
			});
			expect(response.status).toBe(200);
			expect(await response.json()).toEqual({});
		}
	});
});

describe("bodies that are not multipart", () => {
	it("answer 415 naming the media type given, lower-cased and without parameters", async () => {
		const { app } = formApp({ files: { picture: { types: ["image/png"], maxBytes: 5_000 } } });
		const response = await post(app, Buffer.from("{}"), " Application/JSON ; charset=utf-8");
		expect(response.statusCode).toBe(415);
		expect(response.info).toBe("UNSUPPORTED_MEDIA_TYPE");
		expect(response.json()).toEqual({
			error: "UNSUPPORTED_MEDIA_TYPE",
			message: "The content type application/json is not supported here; this route takes multipart/form-data.",
			supported: ["multipart/form-data"],
		});
	});

	it("answer 415 saying the content type is missing when there is none, or it is empty", async () => {
		const { app } = formApp({ files: { picture: { types: ["image/png"], maxBytes: 5_000 } } });
		const message = "The request has a body but no content-type header; this route takes multipart/form-data.";
		const none = await app.inject({ method: "POST", url: "/form", body: Buffer.from("x") });
		expect(none.statusCode).toBe(415);
		expect(none.json()).toEqual({ error: "UNSUPPORTED_MEDIA_TYPE", message, supported: ["multipart/form-data"] });
		const empty = await post(app, Buffer.from("x"), "");
		expect(empty.json()).toMatchObject({ message });
		const blank = await post(app, Buffer.from("x"), " ;x=1");
		expect(blank.json()).toMatchObject({ message });
	});

	it("are told apart from multipart/form-data by the media type alone, in any case", async () => {
		const { app } = formApp({ files: { picture: { types: ["image/png"], maxBytes: 5_000 } } });
		const form = formBody([picture()]);
		const boundary = form.contentType.split("boundary=")[1];
		for (const type of [`Multipart/Form-Data; boundary=${boundary}`, `multipart/form-data ;boundary=${boundary}`]) {
			const response = await post(app, form.body, type);
			expect(response.statusCode).toBe(200);
		}
		for (const type of [`multipart/form-datax; boundary=${boundary}`, `xmultipart/form-data; boundary=${boundary}`]) {
			const response = await post(app, form.body, type);
			expect(response.statusCode).toBe(415);
		}
	});

	it("answer 400 to a multipart content type without a boundary", async () => {
		const { app } = formApp({ files: { picture: { types: ["image/png"], maxBytes: 5_000 } } });
		const response = await post(app, Buffer.from("x"), "multipart/form-data");
		expect(response.statusCode).toBe(400);
		expect(response.json()).toEqual({
			error: "MULTIPART_INVALID",
			message: "The multipart body cannot be read: Multipart: Boundary not found.",
		});
	});
});
