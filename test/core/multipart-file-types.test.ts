// Specification of how a multipart reader recognises a file's type: magic bytes for binary types, the rule for text
// types (UTF-8 throughout, no NUL, checked past the first bytes too), the names clients give some types, and the 415
// that says which field, what was sent and what is accepted.
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { type App, answer, createApp, type FileFieldOptions, multipart } from "../../src/core/index.js";
import { formBody, jpegBytes, tinyPng } from "../helpers/multipart-body.js";

const received = answer(
	200,
	"file.received",
	z.object({ declaredType: z.string(), detectedType: z.string(), size: z.number(), content: z.string() }),
);

let directory: string;

beforeEach(async () => {
	directory = await mkdtemp(join(tmpdir(), "multipart-types-"));
});
afterEach(async () => {
	await rm(directory, { recursive: true, force: true });
});

/** POST /upload with one required file field, "doc", of these types; answers what was received. */
function uploadApp(types: FileFieldOptions["types"], maxBytes = 100_000) {
	const app = createApp({ environment: "TEST" });
	app
		.declareRoute("POST", "/upload")
		.extract({ multipart: multipart({ files: { doc: { types, maxBytes } }, directory }) })
		.handler(async ({ pickup }, response) => {
			const file = pickup("doc");
			return received.respond(response, {
				declaredType: file.declaredType,
				detectedType: file.detectedType,
				size: file.size,
				content: (await readFile(file.path)).toString("base64"),
			});
		}, received);
	return app;
}

function upload(types: FileFieldOptions["types"], content: Buffer | string, type?: string) {
	const form = formBody([{ name: "doc", filename: "doc.bin", content, ...(type === undefined ? {} : { type }) }]);
	return uploadApp(types).inject({
		method: "POST",
		url: "/upload",
		headers: { "content-type": form.contentType },
		body: form.body,
	});
}

const rejected = (message: string, accepted: readonly string[]) => ({
	error: "FILE_TYPE_REJECTED",
	message,
	field: "doc",
	accepted,
});

describe("binary types", () => {
	it("are recognised from the magic bytes, and the file's bytes are stored as sent", async () => {
		const response = await upload(["image/png"], tinyPng, "image/png");
		expect(response.statusCode).toBe(200);
		expect(response.json()).toEqual({
			declaredType: "image/png",
			detectedType: "image/png",
			size: tinyPng.length,
			content: tinyPng.toString("base64"),
		});
	});

	it("are stored whole when the file is larger than the bytes its type is recognised from", async () => {
		// Past the 4 100 bytes sampled, in chunks of every size the parser cuts.
		const content = Buffer.concat([tinyPng, Buffer.from(Array.from({ length: 30_000 }, (_, index) => index % 251))]);
		const response = await upload(["image/png"], content, "image/png");
		expect(response.statusCode).toBe(200);
		expect(response.json()).toMatchObject({ size: content.length, content: content.toString("base64") });
	});

	it("accept the names clients give JPEG and PNG", async () => {
		for (const type of ["image/jpg", "image/pjpeg"]) {
			const response = await upload(["image/jpeg"], jpegBytes, type);
			expect(response.statusCode).toBe(200);
			expect(response.json()).toMatchObject({ declaredType: type, detectedType: "image/jpeg" });
		}
		const png = await upload(["image/png"], tinyPng, "image/x-png");
		expect(png.json()).toMatchObject({ declaredType: "image/x-png", detectedType: "image/png" });
	});

	it("answer 415 when the content is a type the field does not accept", async () => {
		const response = await upload(["image/png", "image/webp"], jpegBytes, "image/jpeg");
		expect(response.statusCode).toBe(415);
		expect(response.info).toBe("FILE_TYPE_REJECTED");
		expect(response.json()).toEqual(
			rejected('The content of "doc" is image/jpeg, which is not accepted here.', ["image/png", "image/webp"]),
		);
	});

	it("answer 415 when the part declares another type than its content", async () => {
		const response = await upload(["image/png", "image/jpeg"], tinyPng, "image/jpeg");
		expect(response.json()).toEqual(
			rejected('"doc" is sent as image/jpeg, but its content is image/png.', ["image/png", "image/jpeg"]),
		);
	});

	it("answer 415 to content with no magic bytes when the field takes no text type", async () => {
		const response = await upload(["image/png"], "just some words", "image/png");
		expect(response.json()).toEqual(rejected('The content of "doc" is none of the accepted types.', ["image/png"]));
	});
});

describe("text types", () => {
	it("take the declared type when the field accepts it, else the field's first text type", async () => {
		const types = ["text/csv", "text/markdown"] as const;
		const markdown = await upload(types, "# title\n", "text/markdown");
		expect(markdown.json()).toMatchObject({ detectedType: "text/markdown" });
		for (const declared of ["text/plain", "application/octet-stream", undefined]) {
			const response = await upload(types, "a,b\n", declared);
			expect(response.statusCode).toBe(200);
			expect(response.json()).toMatchObject({ detectedType: "text/csv" });
		}
	});

	it("accept the names clients give CSV", async () => {
		for (const declared of ["application/csv", "text/x-csv", "application/vnd.ms-excel"]) {
			const response = await upload(["text/csv"], "a,b\n", declared);
			expect(response.statusCode).toBe(200);
			expect(response.json()).toMatchObject({ declaredType: declared, detectedType: "text/csv" });
		}
	});

	it("answer 415 to text declared as a type the field does not take", async () => {
		const response = await upload(["text/csv"], "a,b\n", "text/html");
		expect(response.json()).toEqual(
			rejected('"doc" is sent as text/html, but its content has no magic bytes of that type.', ["text/csv"]),
		);
	});

	it("answer 415 to a NUL byte, in the first bytes or far past them", async () => {
		const early = await upload(["text/csv"], "a\0b\n", "text/csv");
		expect(early.json()).toEqual(rejected('"doc" contains a NUL byte: it is not text.', ["text/csv"]));
		const late = await upload(["text/csv"], Buffer.concat([Buffer.from("a,b\n".repeat(5_000)), Buffer.from("\0\n")]));
		expect(late.statusCode).toBe(415);
		expect(late.json()).toEqual(rejected('"doc" contains a NUL byte: it is not text.', ["text/csv"]));
	});

	it("answer 415 to bytes that are not UTF-8, in the first bytes or far past them", async () => {
		const message = '"doc" is not UTF-8 text.';
		const early = await upload(["text/csv"], Buffer.from([0x61, 0xff, 0x0a]), "text/csv");
		expect(early.json()).toEqual(rejected(message, ["text/csv"]));
		const late = await upload(
			["text/csv"],
			Buffer.concat([Buffer.from("a,b\n".repeat(5_000)), Buffer.from([0xc3, 0x28, 0x0a])]),
		);
		expect(late.json()).toEqual(rejected(message, ["text/csv"]));
		expect(await readdir(directory)).toEqual([]);
	});

	it("answer 415 to text that ends in the middle of a character", async () => {
		const response = await upload(["text/csv"], Buffer.from([0x61, 0xc3]), "text/csv");
		expect(response.json()).toEqual(rejected('"doc" ends in the middle of a UTF-8 character.', ["text/csv"]));
	});

	it("accept a character whose bytes the sample and the rest of the file share", async () => {
		// "é" is two bytes; put its first at the last byte of every possible sample boundary near 4 100.
		for (const before of [4_099, 4_100]) {
			const content = Buffer.concat([Buffer.alloc(before, 0x61), Buffer.from("é\n".repeat(3_000))]);
			const response = await upload(["text/csv"], content, "text/csv");
			expect(response.statusCode).toBe(200);
			expect(response.json()).toMatchObject({ size: content.length, content: content.toString("base64") });
		}
	});

	it("accept an empty file the client named", async () => {
		const response = await upload(["text/csv"], "", "text/csv");
		expect(response.statusCode).toBe(200);
		expect(response.json()).toEqual({ declaredType: "text/csv", detectedType: "text/csv", size: 0, content: "" });
	});
});

describe("files that arrive in many pieces over a connection", () => {
	let running: App | undefined;
	afterEach(async () => {
		await running?.close();
		running = undefined;
	});

	async function send(types: FileFieldOptions["types"], content: Buffer, type: string) {
		const app = uploadApp(types, 1_000_000);
		running = app;
		const { port } = await app.listen({ host: "127.0.0.1", port: 0 });
		const form = new FormData();
		form.append("doc", new Blob([content], { type }), "doc.bin");
		const response = await fetch(`http://127.0.0.1:${port}/upload`, { method: "POST", body: form });
		return { status: response.status, body: (await response.json()) as Record<string, unknown> };
	}

	it("stores every piece of a binary file, in order", async () => {
		const content = Buffer.concat([tinyPng, Buffer.from(Array.from({ length: 400_000 }, (_, index) => index % 253))]);
		const { status, body } = await send(["image/png"], content, "image/png");
		expect(status).toBe(200);
		expect(body).toMatchObject({ size: content.length, content: content.toString("base64") });
	});

	it("checks every piece of a text file: a NUL or a byte that is not UTF-8 far past the start answers 415", async () => {
		const lines = Buffer.from("a,b\n".repeat(60_000));
		const good = await send(["text/csv"], Buffer.concat([lines, Buffer.from("é\n")]), "text/csv");
		expect(good.status).toBe(200);
		const nul = await send(["text/csv"], Buffer.concat([lines, Buffer.from("\0\n")]), "text/csv");
		expect(nul.status).toBe(415);
		expect(nul.body).toEqual(rejected('"doc" contains a NUL byte: it is not text.', ["text/csv"]));
		const bad = await send(["text/csv"], Buffer.concat([lines, Buffer.from([0xff, 0x0a])]), "text/csv");
		expect(bad.body).toEqual(rejected('"doc" is not UTF-8 text.', ["text/csv"]));
		await expect.poll(() => readdir(directory)).toEqual([]);
	});
});
