// Specification of multipart/form-data bodies in extract: files streamed to temporary files, sizes and types checked
// as they arrive, ordinary fields validated by zod, temporary files gone when the request ends, and the OpenAPI shape.
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { connect, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import {
	type App,
	answer,
	createApp,
	DeclarationError,
	declaredResponses,
	generateOpenApi,
	multipart,
	text,
} from "../../src/core/index.js";
import {
	elfBytes,
	type FormPart,
	formBody,
	jpegBytes,
	peBytes,
	streamedFile,
	tinyPng,
} from "../helpers/multipart-body.js";

const MiB = 1024 * 1024;
const images = ["image/png", "image/jpeg", "image/webp"] as const;

const fileBody = z.object({
	fieldName: z.string(),
	originalName: z.string(),
	declaredType: z.string(),
	detectedType: z.string(),
	size: z.number(),
	sha256: z.string(),
	existed: z.boolean(),
});
const portraitReceived = answer(
	200,
	"portrait.received",
	z.object({ id: z.number(), note: z.string().nullable(), file: fileBody }),
);
const galleryReceived = answer(200, "gallery.received", z.object({ names: z.array(z.string()), banner: z.boolean() }));
const importReceived = answer(202, "import.received", z.object({ type: z.string(), size: z.number() }));
const portraitKept = answer(201, "portrait.kept");

let directory: string;
let running: App | undefined;

beforeEach(async () => {
	directory = await mkdtemp(join(tmpdir(), "multipart-test-"));
});
afterEach(async () => {
	await running?.close();
	running = undefined;
	await rm(directory, { recursive: true, force: true });
});

/** The app of these tests; its temporary files go to this test's own directory. */
function uploadApp() {
	const app = createApp({ environment: "TEST", shutdownGrace: 100 });
	app
		.declareRoute("PUT", "/characters/{id}/portrait")
		.extract({
			params: { id: z.coerce.number().int().positive() },
			multipart: multipart({
				files: { file: { types: [...images], maxBytes: 2 * MiB, maxCount: 1, required: true } },
				fields: { note: text().max(200).optional() },
				maxFields: 3,
				directory,
			}),
		})
		.handler(({ pickup }, response) => {
			const file = pickup("file");
			return portraitReceived.respond(response, {
				id: pickup("id"),
				note: pickup("note") ?? null,
				file: { ...file, existed: existsSync(file.path) },
			});
		}, portraitReceived);
	app
		.declareRoute("POST", "/gallery")
		.extract({
			multipart: multipart({
				files: {
					pictures: { types: ["image/png"], maxBytes: 64 * 1024, maxCount: 3 },
					banner: { types: ["image/png"], maxBytes: 64 * 1024, required: false },
				},
				directory,
			}),
		})
		.handler(
			({ pickup }, response) =>
				galleryReceived.respond(response, {
					names: pickup("pictures").map((picture) => picture.originalName),
					banner: pickup("banner") !== undefined,
				}),
			galleryReceived,
		);
	app
		.declareRoute("POST", "/imports")
		.extract({ multipart: multipart({ files: { file: { types: ["text/csv"], maxBytes: 5 * MiB } }, directory }) })
		.handler(({ pickup }, response) => {
			const file = pickup("file");
			return importReceived.respond(response, { type: file.detectedType, size: file.size });
		}, importReceived);
	app
		.declareRoute("PUT", "/kept/{name}")
		.extract({
			params: { name: z.string().regex(/^[a-z]+$/) },
			multipart: multipart({ files: { file: { types: ["image/png"], maxBytes: MiB } }, directory }),
		})
		.handler(async ({ pickup }, response) => {
			await pickup("file").moveTo(join(directory, `${pickup("name")}.kept`));
			return portraitKept.respond(response);
		}, portraitKept);
	return app;
}

function send(app: App, url: string, parts: readonly FormPart[], method = "PUT") {
	const form = formBody(parts);
	return app.inject({ method, url, headers: { "content-type": form.contentType }, body: form.body });
}

const png = (content: Buffer | string = tinyPng, name = "portrait.png", type = "image/png"): FormPart => ({
	name: "file",
	filename: name,
	type,
	content,
});

/** The temporary files left in the test's directory (a moved file is not one). */
async function temporaryFiles(): Promise<string[]> {
	return (await readdir(directory)).filter((name) => name.startsWith("upload-"));
}

describe("multipart bodies", () => {
	it("accepts a real PNG: size, SHA-256 and types on the floor, its bytes in a temporary file", async () => {
		const response = await send(uploadApp(), "/characters/7/portrait", [png()]);
		expect(response.statusCode).toBe(200);
		expect(response.json()).toEqual({
			id: 7,
			note: null,
			file: {
				fieldName: "file",
				originalName: "portrait.png",
				declaredType: "image/png",
				detectedType: "image/png",
				size: tinyPng.length,
				sha256: createHash("sha256").update(tinyPng).digest("hex"),
				existed: true,
			},
		});
	});

	it("deletes the temporary file once the answer is sent", async () => {
		const response = await send(uploadApp(), "/characters/7/portrait", [png()]);
		expect(response.json().file.existed).toBe(true);
		await expect.poll(temporaryFiles).toEqual([]);
	});

	it("keeps a file a step moved away, and only that one", async () => {
		const response = await send(uploadApp(), "/kept/mine", [png()]);
		expect(response.statusCode).toBe(201);
		expect(await readFile(join(directory, "mine.kept"))).toEqual(tinyPng);
		await expect.poll(temporaryFiles).toEqual([]);
	});

	it("drops the ordinary fields validated by zod", async () => {
		const response = await send(uploadApp(), "/characters/7/portrait", [png(), { name: "note", content: "Iop" }]);
		expect(response.json().note).toBe("Iop");
	});

	it("answers 400 TYPE_ERROR.multipart.<key> for a field its schema refuses", async () => {
		const response = await send(uploadApp(), "/characters/7/portrait", [
			png(),
			{ name: "note", content: "x".repeat(201) },
		]);
		expect(response.statusCode).toBe(400);
		expect(response.info).toBe("TYPE_ERROR.multipart.note");
		expect(response.json().issues).toEqual([expect.objectContaining({ path: ["multipart", "note"], code: "too_big" })]);
		await expect.poll(temporaryFiles).toEqual([]);
	});

	it("answers 400 TYPE_ERROR.multipart.file when a required file is missing", async () => {
		const response = await send(uploadApp(), "/characters/7/portrait", [{ name: "note", content: "Iop" }]);
		expect(response.statusCode).toBe(400);
		expect(response.info).toBe("TYPE_ERROR.multipart.file");
		expect(response.json().issues).toEqual([
			expect.objectContaining({ path: ["multipart", "file"], code: "invalid_type" }),
		]);
	});

	it("answers 400 TYPE_ERROR.params.id for a bad path parameter before reading the upload", async () => {
		const response = await send(uploadApp(), "/characters/abc/portrait", [png()]);
		expect(response.info).toBe("TYPE_ERROR.params.id");
		expect(await temporaryFiles()).toEqual([]);
	});

	it("refuses an executable renamed .png with 415 FILE_TYPE_REJECTED", async () => {
		for (const executable of [elfBytes, peBytes]) {
			const response = await send(uploadApp(), "/characters/7/portrait", [png(executable, "cute.png")]);
			expect(response.statusCode).toBe(415);
			expect(response.info).toBe("FILE_TYPE_REJECTED");
			expect(response.json()).toEqual({
				error: "FILE_TYPE_REJECTED",
				message: expect.stringMatching(/application\/x-(elf|msdownload)/),
				field: "file",
				accepted: [...images],
			});
		}
		expect(await temporaryFiles()).toEqual([]);
	});

	it("refuses HTML renamed .png with 415 FILE_TYPE_REJECTED", async () => {
		const page = "<!doctype html><html><script>alert(1)</script></html>";
		const response = await send(uploadApp(), "/characters/7/portrait", [png(page, "page.png")]);
		expect(response.statusCode).toBe(415);
		expect(response.info).toBe("FILE_TYPE_REJECTED");
	});

	it("refuses JPEG bytes declared as image/png with 415 FILE_TYPE_REJECTED, though JPEG is accepted", async () => {
		const response = await send(uploadApp(), "/characters/7/portrait", [png(jpegBytes, "photo.png", "image/png")]);
		expect(response.statusCode).toBe(415);
		expect(response.json().message).toBe('"file" is sent as image/png, but its content is image/jpeg.');
	});

	it("leaves the type to the content when the part declares application/octet-stream", async () => {
		const response = await send(uploadApp(), "/characters/7/portrait", [
			png(jpegBytes, "photo", "application/octet-stream"),
		]);
		expect(response.statusCode).toBe(200);
		expect(response.json().file).toMatchObject({
			declaredType: "application/octet-stream",
			detectedType: "image/jpeg",
		});
	});

	it("answers 413 PAYLOAD_TOO_LARGE to a file one byte over its limit", async () => {
		const oversized = Buffer.concat([tinyPng, Buffer.alloc(2 * MiB - tinyPng.length + 1)]);
		const response = await send(uploadApp(), "/characters/7/portrait", [png(oversized)]);
		expect(response.statusCode).toBe(413);
		expect(response.json()).toEqual({
			error: "PAYLOAD_TOO_LARGE",
			message: `"file" is larger than ${2 * MiB} bytes.`,
			field: "file",
		});
		expect(await temporaryFiles()).toEqual([]);
	});

	it("answers 400 MULTIPART_INVALID to more files than a field takes", async () => {
		const response = await send(uploadApp(), "/characters/7/portrait", [png(), png()]);
		expect(response.statusCode).toBe(400);
		expect(response.json()).toEqual({
			error: "MULTIPART_INVALID",
			message: '"file" takes at most 1 file.',
			field: "file",
		});
		await expect.poll(temporaryFiles).toEqual([]);
	});

	it("answers 400 MULTIPART_INVALID to more ordinary fields than the form takes", async () => {
		const fields = ["a", "b", "c", "d"].map((name) => ({ name, content: "x" }));
		const response = await send(uploadApp(), "/characters/7/portrait", [png(), ...fields]);
		expect(response.statusCode).toBe(400);
		expect(response.json()).toMatchObject({ error: "MULTIPART_INVALID", message: expect.stringContaining("3") });
	});

	it("answers 400 MULTIPART_INVALID to a file in a field the form does not declare", async () => {
		const response = await send(uploadApp(), "/characters/7/portrait", [png(), { ...png(), name: "avatar" }]);
		expect(response.statusCode).toBe(400);
		expect(response.json()).toMatchObject({ error: "MULTIPART_INVALID", field: "avatar" });
	});

	it("answers 400 MULTIPART_INVALID to a body cut short, before its closing boundary or inside a file", async () => {
		const form = formBody([png(Buffer.concat([tinyPng, Buffer.alloc(20_000)]))]);
		for (const cut of [12, 10_000]) {
			const response = await uploadApp().inject({
				method: "PUT",
				url: "/characters/7/portrait",
				headers: { "content-type": form.contentType },
				body: form.body.subarray(0, form.body.length - cut),
			});
			expect(response.statusCode).toBe(400);
			expect(response.info).toBe("MULTIPART_INVALID");
		}
		await expect.poll(temporaryFiles).toEqual([]);
	});

	it("answers 415 UNSUPPORTED_MEDIA_TYPE to a JSON body", async () => {
		const response = await uploadApp().inject({ method: "PUT", url: "/characters/7/portrait", body: { file: "x" } });
		expect(response.statusCode).toBe(415);
		expect(response.json()).toMatchObject({ error: "UNSUPPORTED_MEDIA_TYPE", supported: ["multipart/form-data"] });
	});

	it("gives a field that takes several files an array, and an empty file input counts as no file", async () => {
		const response = await send(
			uploadApp(),
			"/gallery",
			[
				{ ...png(tinyPng, "a.png"), name: "pictures" },
				{ ...png(tinyPng, "b.png"), name: "pictures" },
				// What a browser sends for a file input left empty.
				{ name: "banner", filename: "", type: "application/octet-stream", content: "" },
			],
			"POST",
		);
		expect(response.json()).toEqual({ names: ["a.png", "b.png"], banner: false });
	});

	it("accepts CSV for text/csv: no magic bytes, UTF-8 text without NUL", async () => {
		const csv = "name,level,class\nÉcaflip,200,Ecaflip\n";
		for (const type of ["text/csv", "application/vnd.ms-excel", "application/octet-stream"]) {
			const response = await send(uploadApp(), "/imports", [{ ...png(csv, "chars.csv", type) }], "POST");
			expect(response.statusCode).toBe(202);
			expect(response.json()).toEqual({ type: "text/csv", size: Buffer.byteLength(csv) });
		}
	});

	it("refuses as CSV what is not UTF-8 text, a NUL, or a binary type", async () => {
		const notText = [
			Buffer.from([0x61, 0x2c, 0xc3, 0x28, 0x0a]),
			Buffer.from("name\0,level\n"),
			// Text past the sample, cut in the middle of a two-byte character.
			Buffer.concat([Buffer.from("a,b\n".repeat(3000)), Buffer.from([0xc3])]),
			tinyPng,
		];
		for (const content of notText) {
			const response = await send(uploadApp(), "/imports", [png(content, "chars.csv", "text/csv")], "POST");
			expect(response.statusCode).toBe(415);
			expect(response.info).toBe("FILE_TYPE_REJECTED");
		}
	});

	it("declares the reader's answers on every route that extracts a multipart body", () => {
		const app = uploadApp();
		const route = app.routes.find((one) => one.paths.includes("/characters/{id}/portrait"));
		const answers = declaredResponses(route as NonNullable<typeof route>).map(({ code, info }) => `${code} ${info}`);
		expect(answers).toEqual(
			expect.arrayContaining([
				"400 MULTIPART_INVALID",
				"413 PAYLOAD_TOO_LARGE",
				"415 UNSUPPORTED_MEDIA_TYPE",
				"415 FILE_TYPE_REJECTED",
				"400 TYPE_ERROR.multipart.file",
				"400 TYPE_ERROR.multipart.note",
				"400 TYPE_ERROR.params.id",
			]),
		);
		expect(answers).not.toContain("400 BODY_PARSE_ERROR");
	});

	it("documents multipart/form-data in OpenAPI: binary file fields, their types as encoding, fields from zod", () => {
		const document = generateOpenApi(uploadApp().routes, { info: { title: "t", version: "1" } });
		const portrait = document.paths["/characters/{id}/portrait"]?.put;
		expect(portrait?.requestBody).toEqual({
			required: true,
			content: {
				"multipart/form-data": {
					schema: {
						type: "object",
						properties: {
							file: expect.objectContaining({ type: "string", format: "binary" }),
							note: expect.objectContaining({ type: "string", maxLength: 200 }),
						},
						required: ["file"],
					},
					encoding: { file: { contentType: "image/png, image/jpeg, image/webp" } },
				},
			},
		});
		const gallery = document.paths["/gallery"]?.post?.requestBody?.content["multipart/form-data"]?.schema;
		expect(gallery?.properties).toMatchObject({
			pictures: { type: "array", items: { type: "string", format: "binary" }, maxItems: 3, minItems: 1 },
			banner: { type: "string", format: "binary" },
		});
		expect(gallery?.required).toEqual(["pictures"]);
		expect(Object.keys(portrait?.responses ?? {})).toEqual(expect.arrayContaining(["400", "413", "415"]));
		expect(portrait?.responses["415"]?.["x-infos"]).toEqual(["UNSUPPORTED_MEDIA_TYPE", "FILE_TYPE_REJECTED"]);
	});
});

describe("multipart declarations", () => {
	it("refuses a type that cannot be recognised from the content", () => {
		expect(() => multipart({ files: { file: { types: ["image/svg+xml"], maxBytes: 1 } } })).toThrow(DeclarationError);
		expect(() => multipart({ files: { file: { types: ["IMAGE/PNG"], maxBytes: 1 } } })).toThrow(DeclarationError);
	});

	it("refuses limits that are not positive integers", () => {
		expect(() => multipart({ files: { file: { types: ["image/png"], maxBytes: 0 } } })).toThrow(/maxBytes/);
		expect(() => multipart({ files: { file: { types: ["image/png"], maxBytes: 9, maxCount: 1.5 } } })).toThrow(
			/maxCount/,
		);
	});

	it("refuses a name that is both a file and an ordinary field, or dropped by another part too", () => {
		expect(() =>
			multipart({ files: { file: { types: ["image/png"], maxBytes: 9 } }, fields: { file: z.string() } }),
		).toThrow(DeclarationError);
		const app = createApp({ environment: "TEST" });
		app
			.declareRoute("PUT", "/x/{file}")
			.extract({
				params: { file: z.string() },
				multipart: multipart({ files: { file: { types: ["image/png"], maxBytes: 9 } } }),
			})
			.handler((_floor, response) => response.send());
		expect(() => app.ready()).toThrow('"file" is dropped by both params and multipart');
	});
});

/** A raw HTTP/1.1 connection, to write a body at the pace and with the framing a test wants. */
async function openSocket(port: number): Promise<Socket> {
	const socket = connect({ host: "127.0.0.1", port });
	await new Promise((resolve, reject) => socket.once("connect", resolve).once("error", reject));
	return socket;
}

function write(socket: Socket, bytes: Buffer | string): Promise<void> {
	return new Promise((resolve, reject) => socket.write(bytes, (error) => (error ? reject(error) : resolve())));
}

describe("multipart bodies over a real connection", () => {
	async function serve() {
		const app = uploadApp();
		running = app;
		const { port } = await app.listen({ host: "127.0.0.1", port: 0 });
		// What the server had read of each request's connection when its answer was written.
		const readAtAnswer: number[] = [];
		app.server?.on("request", (request, response) =>
			response.once("finish", () => readAtAnswer.push(request.socket.bytesRead)),
		);
		return { app, port, readAtAnswer };
	}

	it("receives a 1.5 MiB PNG sent by fetch's FormData, then deletes its temporary file", async () => {
		const { port } = await serve();
		const bytes = Buffer.concat([tinyPng, Buffer.alloc(1.5 * MiB, 7)]);
		const form = new FormData();
		form.append("file", new Blob([bytes], { type: "image/png" }), "big.png");
		form.append("note", "Sadida");
		const response = await fetch(`http://127.0.0.1:${port}/characters/3/portrait`, { method: "PUT", body: form });
		expect(response.status).toBe(200);
		expect(await response.json()).toMatchObject({
			note: "Sadida",
			file: { size: bytes.length, sha256: createHash("sha256").update(bytes).digest("hex"), existed: true },
		});
		await expect.poll(temporaryFiles).toEqual([]);
	});

	it("answers 413 to a streamed 50 MiB file against a 2 MiB limit before 3 MiB were read", async () => {
		const { port, readAtAnswer } = await serve();
		const socket = await openSocket(port);
		let answer = "";
		socket.on("data", (chunk: Buffer) => (answer += chunk.toString("latin1")));
		socket.on("error", () => undefined);
		const form = streamedFile({ name: "file", filename: "huge.png", type: "image/png" }, 50 * MiB);
		// Chunked: a client that does not announce its size, so only the streamed count can stop it.
		const chunk = (bytes: Buffer) =>
			Buffer.concat([Buffer.from(`${bytes.length.toString(16)}\r\n`), bytes, Buffer.from("\r\n")]);
		await write(
			socket,
			`PUT /characters/7/portrait HTTP/1.1\r\nHost: test\r\nContent-Type: ${form.contentType}\r\nTransfer-Encoding: chunked\r\n\r\n`,
		);
		await write(socket, chunk(Buffer.concat([form.head, tinyPng])));
		const piece = Buffer.alloc(64 * 1024, 0x42);
		let written = form.head.length + tinyPng.length;
		while (answer === "" && written < 50 * MiB) {
			await write(socket, chunk(piece));
			written += piece.length;
			await new Promise((resolve) => setTimeout(resolve, 1));
		}
		socket.destroy();
		console.info(`[multipart] 413 after the client wrote ${written} bytes; the server had read ${readAtAnswer[0]}`);
		expect(answer).toMatch(/^HTTP\/1\.1 413 /);
		expect(answer).toContain("PAYLOAD_TOO_LARGE");
		// The client learnt it long before the end of its upload (how far it got depends on the socket buffers).
		expect(written).toBeLessThan(50 * MiB);
		expect(readAtAnswer[0]).toBeGreaterThan(2 * MiB);
		expect(readAtAnswer[0]).toBeLessThan(3 * MiB);
		await expect.poll(temporaryFiles).toEqual([]);
	});

	it("answers 413 to a Content-Length above what the form can hold, before reading the body", async () => {
		const { port, readAtAnswer } = await serve();
		const socket = await openSocket(port);
		const form = streamedFile({ name: "file", filename: "huge.png", type: "image/png" }, 50 * MiB);
		const answered = new Promise<string>((resolve) =>
			socket.once("data", (chunk: Buffer) => resolve(chunk.toString())),
		);
		await write(
			socket,
			`PUT /characters/7/portrait HTTP/1.1\r\nHost: test\r\nContent-Type: ${form.contentType}\r\nContent-Length: ${form.length}\r\n\r\n`,
		);
		expect(await answered).toMatch(/^HTTP\/1\.1 413 /);
		socket.destroy();
		expect(readAtAnswer[0]).toBeLessThan(1024);
	});

	it("leaves no temporary file when the client goes away in the middle of a file", async () => {
		const { port } = await serve();
		const socket = await openSocket(port);
		socket.on("error", () => undefined);
		const size = MiB + 512 * 1024;
		const form = streamedFile({ name: "file", filename: "portrait.png", type: "image/png" }, size);
		await write(
			socket,
			`PUT /characters/7/portrait HTTP/1.1\r\nHost: test\r\nContent-Type: ${form.contentType}\r\nContent-Length: ${form.length}\r\n\r\n`,
		);
		await write(socket, Buffer.concat([form.head, tinyPng, Buffer.alloc(512 * 1024)]));
		// The file is being written...
		await expect.poll(temporaryFiles).toHaveLength(1);
		// ...when the client goes.
		socket.destroy();
		await expect.poll(temporaryFiles).toEqual([]);
	});
});
