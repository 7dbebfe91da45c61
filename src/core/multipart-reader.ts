// Reads a multipart/form-data body as a route declared it: each file streamed to a temporary file while its size is
// counted and its type recognised from its first bytes (`file-type`), ordinary fields collected, refusals answered.
import { createHash } from "node:crypto";
import type { FileHandle } from "node:fs/promises";
import type { IncomingMessage } from "node:http";
import type { Readable } from "node:stream";
import { Busboy, type BusboyFileStream, type BusboyInstance } from "@fastify/busboy";
import { fileTypeFromBuffer } from "file-type";
import { FrameworkInfo } from "./errors.js";
import { type AnyMultipart, type FileField, MultipartBody, multipartMediaType } from "./multipart.js";
import type { Request } from "./request.js";
import type { Response } from "./response.js";
import { TemporaryFiles, UploadedFile } from "./uploaded-file.js";

const multipartPattern = /^multipart\/form-data\s*(;|$)/i;
/** How many leading bytes `file-type` is given to recognise a file (what it needs for most types). */
const sampleBytes = 4_100;
/** A part that says this leaves the decision to its content. */
const unspecifiedType = "application/octet-stream";
/** Other names clients give some types (Windows calls CSV files application/vnd.ms-excel). */
const typeAliases: Record<string, string> = {
	"image/jpg": "image/jpeg",
	"image/pjpeg": "image/jpeg",
	"image/x-png": "image/png",
	"application/vnd.ms-excel": "text/csv",
	"application/csv": "text/csv",
	"text/x-csv": "text/csv",
};

/** An answer the reader gives instead of reading on. */
class MultipartRefusal extends Error {
	constructor(
		readonly code: 400 | 413 | 415,
		readonly info: string,
		readonly body: Record<string, unknown>,
	) {
		super(String(body.message));
	}
}

const invalid = (message: string, field?: string) =>
	new MultipartRefusal(400, FrameworkInfo.multipartInvalid, { error: FrameworkInfo.multipartInvalid, message, field });
const tooLarge = (message: string, field?: string) =>
	new MultipartRefusal(413, FrameworkInfo.payloadTooLarge, { error: FrameworkInfo.payloadTooLarge, message, field });
const typeRejected = (field: FileField, message: string) =>
	new MultipartRefusal(415, FrameworkInfo.fileTypeRejected, {
		error: FrameworkInfo.fileTypeRejected,
		message,
		field: field.name,
		accepted: field.types,
	});

function send(response: Response, refusal: MultipartRefusal): never {
	return response.code(refusal.code).info(refusal.info).send(refusal.body);
}

/**
 * Reads a multipart body into `request.body` (a `MultipartBody`): each file part streamed to a temporary file
 * (never held whole in memory), its size checked as it arrives, its type recognised from its first bytes
 * before anything is written. Sends 400, 413 or 415 itself when it refuses the body; the temporary files
 * are deleted when the request ends, whatever happens.
 */
export function readMultipart(request: Request, response: Response, declaration: AnyMultipart): void | Promise<void> {
	if (request.bodyParsed) return;
	request.bodyParsed = true;
	const headers = request.headers;
	const declaredLength = headers["content-length"];
	const payload = request.raw.payload;
	const bodiless =
		payload === undefined
			? declaredLength === "0" || (declaredLength === undefined && headers["transfer-encoding"] === undefined)
			: payload.length === 0;
	if (bodiless) {
		request.body = new MultipartBody();
		return;
	}
	const contentType = headers["content-type"];
	if (contentType === undefined || !multipartPattern.test(contentType)) {
		const mediaType = contentType?.split(";", 1)[0]?.trim().toLowerCase();
		return response
			.code(415)
			.info(FrameworkInfo.unsupportedMediaType)
			.send({
				error: FrameworkInfo.unsupportedMediaType,
				message:
					mediaType === undefined || mediaType === ""
						? `The request has a body but no content-type header; this route takes ${multipartMediaType}.`
						: `The content type ${mediaType} is not supported here; this route takes ${multipartMediaType}.`,
				supported: [multipartMediaType],
			});
	}
	if (declaredLength !== undefined && Number(declaredLength) > declaration.maxBodyBytes)
		return send(response, tooLarge(`The request body is larger than ${declaration.maxBodyBytes} bytes.`));
	return new MultipartReading(request, response, declaration, contentType).read();
}

/** One body being read: the parser, the files being received, and how it ends. */
class MultipartReading {
	private readonly body = new MultipartBody();
	private readonly temporaryFiles: TemporaryFiles;
	/** The files being received, each until it is written and closed (or has failed). */
	private readonly receiving = new Set<Promise<void>>();
	private readonly fileStreams = new Set<Readable>();
	/** Each field's files in the order their parts came (a small file may be written before a larger one before it). */
	private readonly slots = new Map<string, (UploadedFile | undefined)[]>();
	private received = 0;
	private over = false;
	private stopInput: () => void = () => undefined;
	private resolve: () => void = () => undefined;
	private reject: (reason: unknown) => void = () => undefined;

	constructor(
		private readonly request: Request,
		private readonly response: Response,
		private readonly declaration: AnyMultipart,
		private readonly contentType: string,
	) {
		this.temporaryFiles = new TemporaryFiles(declaration.directory);
		// The request is over when its answer is written or its client is gone: what no step took goes then. A file
		// sent as the answer has been read by "finish"; "close" alone comes when the client went away first.
		response.raw.once("finish", () => this.discardFiles());
		response.raw.once("close", () => this.discardFiles());
	}

	read(): Promise<void> {
		return new Promise<void>((resolve, reject) => {
			this.resolve = resolve;
			this.reject = reject;
			const declaration = this.declaration;
			const fileCount = declaration.files.reduce((sum, field) => sum + field.maxCount, 0);
			let parser: BusboyInstance;
			try {
				parser = Busboy({
					headers: { ...this.request.headers, "content-type": this.contentType },
					// One more file and part than the form takes, so that the one too many reaches onFile, which names its field.
					limits: {
						files: fileCount + 1,
						fields: declaration.maxFields,
						parts: fileCount + declaration.maxFields + 1,
						fieldSize: declaration.maxFieldBytes,
						headerPairs: 32,
					},
					// A declared file field is a file even when its part names no file.
					isPartAFile: (name, _type, fileName) =>
						fileName !== undefined || declaration.files.some((field) => field.name === name),
				});
			} catch (error) {
				return void this.fail(invalid(`The multipart body cannot be read: ${(error as Error).message}.`));
			}
			parser.on("file", (name, stream, fileName, encoding, type) =>
				this.onFile(name, stream, fileName, encoding, type),
			);
			parser.on("field", (name, value, _nameTruncated, valueTruncated) => this.onField(name, value, valueTruncated));
			parser.on("filesLimit", () => void this.fail(invalid(`The form takes at most ${fileCount} files.`)));
			parser.on(
				"fieldsLimit",
				() => void this.fail(invalid(`The form takes at most ${declaration.maxFields} ordinary fields.`)),
			);
			parser.on("partsLimit", () => void this.fail(invalid("The form has too many parts.")));
			parser.on(
				"error",
				(error) => void this.fail(invalid(`The multipart body is malformed: ${(error as Error).message}.`)),
			);
			parser.on("finish", () => void this.finish());
			const payload = this.request.raw.payload;
			if (payload !== undefined) parser.end(payload);
			else this.pump(this.request.raw as IncomingMessage, parser);
		});
	}

	/** Feeds the socket's bytes to the parser, at the pace it takes them, within the body's bound. */
	private pump(message: IncomingMessage, parser: BusboyInstance): void {
		if (message.destroyed || message.readableAborted)
			return void this.fail(new Error("The client went away before the body was read."));
		const limit = this.declaration.maxBodyBytes;
		const onData = (chunk: Buffer) => {
			this.received += chunk.length;
			if (this.received > limit) return void this.fail(tooLarge(`The request body is larger than ${limit} bytes.`));
			if (!parser.write(chunk)) message.pause();
		};
		this.stopInput = () => {
			message.off("data", onData);
			// Paused, the rest is left to the executor, which reads and discards it after the answer (drain.ts).
			message.pause();
		};
		parser.on("drain", () => {
			if (!this.over) message.resume();
		});
		message.on("data", onData);
		message.once("end", () => {
			if (!this.over) parser.end();
		});
		message.on("error", (error) => void this.fail(error));
		message.once("close", () => {
			if (!message.complete) void this.fail(new Error("The client went away before the body was read."));
		});
	}

	private onFile(name: string, stream: BusboyFileStream, fileName: string, encoding: string, type: string): void {
		if (this.over) return void stream.resume();
		const field = this.declaration.files.find((one: FileField) => one.name === name);
		if (field === undefined) {
			stream.resume();
			const message =
				this.declaration.fields[name] === undefined
					? `The form takes no file named "${name}".`
					: `"${name}" takes a value, not a file.`;
			return void this.fail(invalid(message, name));
		}
		// RFC 7578 leaves out Content-Transfer-Encoding; a part encoded some other way would be stored encoded.
		if (!["7bit", "8bit", "binary"].includes(encoding.toLowerCase())) {
			stream.resume();
			return void this.fail(invalid(`"${name}" is sent with Content-Transfer-Encoding ${encoding}.`, name));
		}
		const slots = this.slots.get(name) ?? [];
		this.slots.set(name, slots);
		const slot = slots.push(undefined) - 1;
		if (slots.length > field.maxCount) {
			stream.resume();
			return void this.fail(
				invalid(`"${name}" takes at most ${field.maxCount} file${field.maxCount === 1 ? "" : "s"}.`, name),
			);
		}
		this.fileStreams.add(stream);
		// The parser reports a body cut in the middle of this file on its stream: a malformed body, not our failure.
		let malformed: unknown;
		stream.once("error", (error) => {
			malformed = error;
		});
		const receiving: Promise<void> = this.receive(field, stream, fileName ?? "", type)
			.then(
				(file) => {
					slots[slot] = file;
				},
				// Not returned: the failure waits for every file, this one included.
				(error) =>
					void this.fail(
						error === malformed
							? invalid(`The multipart body is malformed: ${(error as Error).message}.`, name)
							: error,
					),
			)
			.finally(() => {
				this.receiving.delete(receiving);
				this.fileStreams.delete(stream);
			});
		this.receiving.add(receiving);
	}

	private onField(name: string, value: string, truncated: boolean): void {
		if (this.over) return;
		if (truncated)
			return void this.fail(tooLarge(`"${name}" is longer than ${this.declaration.maxFieldBytes} bytes.`, name));
		if (this.declaration.files.some((field: FileField) => field.name === name))
			return void this.fail(invalid(`"${name}" takes a file, not a value.`, name));
		const fields = this.body.fields;
		const earlier = fields[name];
		fields[name] = earlier === undefined ? value : Array.isArray(earlier) ? [...earlier, value] : [earlier, value];
	}

	/**
	 * Receives one file: counts and hashes every byte, holds the first `sampleBytes` until its type is recognised,
	 * then writes it to a temporary file. Resolves undefined for an empty part with no name (an empty file input).
	 */
	private async receive(
		field: FileField,
		stream: BusboyFileStream,
		originalName: string,
		partType: string,
	): Promise<UploadedFile | undefined> {
		const declaredType = typeAliases[partType] ?? partType;
		const hash = createHash("sha256");
		let size = 0;
		let sample: Buffer[] | undefined = [];
		let sampled = 0;
		let kind: Recognised | undefined;
		let target: { path: string; handle: FileHandle } | undefined;
		const start = async (bytes: Buffer) => {
			kind = await recognise(field, bytes, declaredType);
			kind.text?.check(field, bytes);
			target = await this.temporaryFiles.create();
			await writeAll(target.handle, bytes);
		};
		try {
			for await (const chunk of stream as AsyncIterable<Buffer>) {
				size += chunk.length;
				if (size > field.maxBytes)
					throw tooLarge(`"${field.name}" is larger than ${field.maxBytes} bytes.`, field.name);
				hash.update(chunk);
				if (sample !== undefined) {
					sample.push(chunk);
					sampled += chunk.length;
					if (sampled < sampleBytes) continue;
					const bytes = Buffer.concat(sample, sampled);
					sample = undefined;
					await start(bytes);
					continue;
				}
				kind?.text?.check(field, chunk);
				await writeAll((target as { handle: FileHandle }).handle, chunk);
			}
			if (sample !== undefined) {
				// The whole file fit in the sample.
				if (size === 0 && originalName === "") return undefined;
				await start(Buffer.concat(sample, sampled));
			}
			kind?.text?.end(field);
			const written = target as { path: string; handle: FileHandle };
			return new UploadedFile(
				{
					fieldName: field.name,
					originalName,
					declaredType: partType,
					detectedType: (kind as Recognised).type,
					size,
					sha256: hash.digest("hex"),
					path: written.path,
				},
				this.temporaryFiles,
			);
		} finally {
			await target?.handle.close();
		}
	}

	/** Every part was read: waits for the files still being written, then hands the body over. */
	private async finish(): Promise<void> {
		if (this.over) return;
		while (this.receiving.size > 0) await Promise.all(this.receiving);
		if (this.over) return;
		this.over = true;
		for (const [name, slots] of this.slots) {
			const files = slots.filter((file) => file !== undefined);
			if (files.length > 0) this.body.files.set(name, files);
		}
		this.request.body = this.body;
		// A client gone already: nobody will read the files.
		if ((this.response.raw as { destroyed?: boolean }).destroyed === true) this.discardFiles();
		this.resolve();
	}

	/** Stops reading, deletes what was written, then answers the refusal (or rejects with the error). */
	private async fail(reason: unknown): Promise<void> {
		if (this.over) return;
		this.over = true;
		this.stopInput();
		for (const stream of this.fileStreams) stream.destroy();
		await Promise.allSettled([...this.receiving]);
		try {
			await this.temporaryFiles.discard();
		} catch (error) {
			this.request.logger.error({ err: error }, "could not delete the temporary files of a refused upload");
		}
		if (!(reason instanceof MultipartRefusal)) return this.reject(reason);
		try {
			send(this.response, reason);
		} catch (signal) {
			this.reject(signal);
		}
	}

	private discardFiles(): void {
		this.temporaryFiles
			.discard()
			.catch((error) => this.request.logger.error({ err: error }, "could not delete the temporary files of a request"));
	}
}

async function writeAll(handle: FileHandle, bytes: Buffer): Promise<void> {
	let offset = 0;
	while (offset < bytes.length) {
		const { bytesWritten } = await handle.write(bytes, offset, bytes.length - offset);
		offset += bytesWritten;
	}
}

/** The type a file was recognised as, and for text the check its remaining bytes go through. */
interface Recognised {
	readonly type: string;
	readonly text: TextCheck | undefined;
}

/**
 * The type of a file from its first bytes: the one its magic bytes say, which must be accepted and be the type
 * its part declares (or `application/octet-stream`); with no magic bytes, an accepted text type, if the part
 * declares that one, `text/plain` or `application/octet-stream`. Anything else is refused with 415.
 */
async function recognise(field: FileField, sample: Buffer, declared: string): Promise<Recognised> {
	const found = await fileTypeFromBuffer(sample);
	if (found !== undefined) {
		if (!field.binaryTypes.includes(found.mime))
			throw typeRejected(field, `The content of "${field.name}" is ${found.mime}, which is not accepted here.`);
		if (declared !== unspecifiedType && declared !== found.mime)
			throw typeRejected(field, `"${field.name}" is sent as ${declared}, but its content is ${found.mime}.`);
		return { type: found.mime, text: undefined };
	}
	if (field.textTypes.length === 0)
		throw typeRejected(field, `The content of "${field.name}" is none of the accepted types.`);
	const type = field.textTypes.includes(declared)
		? declared
		: declared === unspecifiedType || declared === "text/plain"
			? (field.textTypes[0] as string)
			: undefined;
	if (type === undefined)
		throw typeRejected(
			field,
			`"${field.name}" is sent as ${declared}, but its content has no magic bytes of that type.`,
		);
	return { type, text: new TextCheck() };
}

/** The rule for text types: UTF-8 throughout (a character may span two chunks), and no NUL. */
class TextCheck {
	private readonly decoder = new TextDecoder("utf-8", { fatal: true });

	check(field: FileField, bytes: Buffer): void {
		if (bytes.includes(0)) throw typeRejected(field, `"${field.name}" contains a NUL byte: it is not text.`);
		try {
			this.decoder.decode(bytes, { stream: true });
		} catch {
			throw typeRejected(field, `"${field.name}" is not UTF-8 text.`);
		}
	}

	end(field: FileField): void {
		try {
			this.decoder.decode();
		} catch {
			throw typeRejected(field, `"${field.name}" ends in the middle of a UTF-8 character.`);
		}
	}
}
