// multipart/form-data bodies: a route's declaration (`multipart()`), the reader that streams each file to a temporary
// file while it checks its size and recognises its type, and the extract step that drops files and fields on the floor.
import { createHash } from "node:crypto";
import type { FileHandle } from "node:fs/promises";
import type { IncomingMessage } from "node:http";
import { tmpdir } from "node:os";
import type { Readable } from "node:stream";
import { Busboy, type BusboyFileStream, type BusboyInstance } from "@fastify/busboy";
import { fileTypeFromBuffer, supportedMimeTypes } from "file-type";
import { z } from "zod";
import { DeclarationError, FrameworkInfo, NoResponseSentError } from "./errors.js";
import type { ExtractErrorHandler } from "./extract.js";
import type { RuntimeFloor } from "./floor.js";
import type { Request } from "./request.js";
import type { Response } from "./response.js";
import { TemporaryFiles, UploadedFile } from "./uploaded-file.js";

// ---------------------------------------------------------------------------------------------------
// The declaration.

/** One file field of a form. */
export interface FileFieldOptions {
	/**
	 * The accepted types. Binary types are recognised from the content's magic bytes (`file-type` must know
	 * them: `image/png`, `image/jpeg`, `application/pdf` …); `text/*` types have none, and are accepted for
	 * content with no magic bytes that is UTF-8 text without NUL (see docs/core.md).
	 */
	readonly types: readonly [string, ...string[]];
	/** The largest file, in bytes: one byte more answers 413 at once. */
	readonly maxBytes: number;
	/** How many files the field takes (default 1). Above 1, the floor holds an array. */
	readonly maxCount?: number;
	/** Whether the field must hold a file (default true, like a zod key). */
	readonly required?: boolean;
}

export type FileFields = { readonly [name: string]: FileFieldOptions };
export type ValueFields = { readonly [name: string]: z.ZodType };

export interface MultipartOptions<Files extends FileFields = FileFields, Fields extends ValueFields = ValueFields> {
	/** The file fields, by name. */
	readonly files: Files;
	/** The ordinary fields, one zod schema per name; values arrive as strings (arrays when a name is repeated). */
	readonly fields?: Fields;
	/** Most ordinary field parts, undeclared ones included (default: one per declared field). */
	readonly maxFields?: number;
	/** Largest value of an ordinary field, in bytes (default 64 KiB). */
	readonly maxFieldBytes?: number;
	/** Where temporary files are written (default `os.tmpdir()`). */
	readonly directory?: string;
}

const fileOptionKeys = new Set(["types", "maxBytes", "maxCount", "required"]);
const optionKeys = new Set(["files", "fields", "maxFields", "maxFieldBytes", "directory"]);
const defaultMaxFieldBytes = 65_536;
/** What a part may add around its content (boundary, headers), counted in the largest body a form may have. */
const partOverheadBytes = 2_048;

/** A file field as the reader uses it. */
export interface FileField {
	readonly name: string;
	readonly types: readonly string[];
	/** The accepted types recognised from magic bytes. */
	readonly binaryTypes: readonly string[];
	/** The accepted text types (no magic bytes). */
	readonly textTypes: readonly string[];
	readonly maxBytes: number;
	readonly maxCount: number;
	readonly required: boolean;
}

/** A route's multipart body, made by `multipart()`; its type parameters type the floor. */
export class Multipart<Files extends FileFields = FileFields, Fields extends ValueFields = ValueFields> {
	/** Type-only: never set at run time. */
	declare readonly types?: { files: Files; fields: Fields };
	readonly files: readonly FileField[];
	readonly fields: ValueFields;
	readonly maxFields: number;
	readonly maxFieldBytes: number;
	readonly directory: string;
	/** The largest body the form may have: a Content-Length above it is answered 413 before anything is read. */
	readonly maxBodyBytes: number;

	constructor(options: MultipartOptions<Files, Fields>) {
		const where = "multipart()";
		if (typeof options !== "object" || options === null) throw new DeclarationError(`${where} needs an object.`);
		for (const key of Object.keys(options))
			if (!optionKeys.has(key)) throw new DeclarationError(`${where}: unknown option "${key}".`);
		if (typeof options.files !== "object" || options.files === null)
			throw new DeclarationError(`${where}: files must be an object of file fields.`);
		this.files = Object.entries(options.files).map(([name, field]) => fileField(`${where}.files.${name}`, name, field));
		this.fields = options.fields ?? {};
		for (const [name, schema] of Object.entries(this.fields)) {
			if (!(schema instanceof z.ZodType)) throw new DeclarationError(`${where}.fields.${name} must be a zod schema.`);
			if (options.files[name] !== undefined)
				throw new DeclarationError(`${where}: "${name}" is both a file field and an ordinary field.`);
		}
		this.maxFields = positiveInteger(`${where}.maxFields`, options.maxFields ?? Object.keys(this.fields).length, true);
		this.maxFieldBytes = positiveInteger(`${where}.maxFieldBytes`, options.maxFieldBytes ?? defaultMaxFieldBytes);
		this.directory = options.directory ?? tmpdir();
		if (typeof this.directory !== "string" || this.directory === "")
			throw new DeclarationError(`${where}.directory must be a path.`);
		const fileCount = this.files.reduce((sum, field) => sum + field.maxCount, 0);
		this.maxBodyBytes =
			this.files.reduce((sum, field) => sum + field.maxBytes * field.maxCount, 0) +
			this.maxFields * this.maxFieldBytes +
			(fileCount + this.maxFields + 1) * partOverheadBytes;
	}

	/** Every key the form drops on the floor: its file fields, then its ordinary fields. */
	get keys(): string[] {
		return [...this.files.map((field) => field.name), ...Object.keys(this.fields)];
	}
}

export type AnyMultipart = Multipart<any, any>;

function positiveInteger(where: string, value: unknown, zeroAllowed = false): number {
	if (typeof value !== "number" || !Number.isSafeInteger(value) || value < (zeroAllowed ? 0 : 1))
		throw new DeclarationError(`${where} must be a ${zeroAllowed ? "non-negative" : "positive"} integer.`);
	return value;
}

function fileField(where: string, name: string, options: FileFieldOptions): FileField {
	if (typeof options !== "object" || options === null) throw new DeclarationError(`${where} must be an object.`);
	for (const key of Object.keys(options))
		if (!fileOptionKeys.has(key)) throw new DeclarationError(`${where}: unknown option "${key}".`);
	if (!Array.isArray(options.types) || options.types.length === 0)
		throw new DeclarationError(`${where}.types must list at least one type.`);
	const binaryTypes: string[] = [];
	const textTypes: string[] = [];
	for (const type of options.types) {
		if (typeof type !== "string" || type !== type.toLowerCase())
			throw new DeclarationError(`${where}.types: "${String(type)}" must be a lower-case media type.`);
		if (supportedMimeTypes.has(type)) binaryTypes.push(type);
		else if (type.startsWith("text/")) textTypes.push(type);
		else
			throw new DeclarationError(
				`${where}.types: ${type} cannot be recognised from its content (not a type file-type knows, nor text/*).`,
			);
	}
	if (options.required !== undefined && typeof options.required !== "boolean")
		throw new DeclarationError(`${where}.required must be true or false.`);
	return {
		name,
		types: [...options.types],
		binaryTypes,
		textTypes,
		maxBytes: positiveInteger(`${where}.maxBytes`, options.maxBytes),
		maxCount: positiveInteger(`${where}.maxCount`, options.maxCount ?? 1),
		required: options.required ?? true,
	};
}

type NoExtraKeys<Given, Allowed extends PropertyKey> = { [K in Exclude<keyof Given, Allowed>]: never };

/**
 * Declares a multipart/form-data body, for `extract({ multipart: multipart({...}) })`: its file fields (accepted
 * types, largest size, how many, required or not) and its ordinary fields (zod schemas). Each file field and each
 * ordinary field is dropped on the floor under its own name.
 */
export function multipart<const Files extends FileFields, const Fields extends ValueFields = Record<never, never>>(
	options: MultipartOptions<Files, Fields> & {
		readonly files: { [K in keyof Files]: NoExtraKeys<Files[K], keyof FileFieldOptions> };
	} & NoExtraKeys<MultipartOptions<Files, Fields>, keyof MultipartOptions>,
	// NoInfer: inside `extract({ multipart: … })` the expected type would otherwise infer the fields left out as `any`.
): Multipart<NoInfer<Files>, NoInfer<Fields>> {
	return new Multipart(options);
}

// ---------------------------------------------------------------------------------------------------
// What the declaration drops on the floor.

type OneFile<O> = O extends { readonly required: false } ? UploadedFile | undefined : UploadedFile;
type FileValue<O> = O extends { readonly maxCount: infer M }
	? [M] extends [1]
		? OneFile<O>
		: UploadedFile[]
	: OneFile<O>;

/** The floor of a multipart declaration: each file field (a file, an optional one, or an array), each ordinary field. */
export type MultipartFloor<M> =
	M extends Multipart<infer Files, infer Fields>
		? { -readonly [K in keyof Files]: FileValue<Files[K]> } & {
				-readonly [K in keyof Fields]: Fields[K] extends z.ZodType ? z.output<Fields[K]> : never;
			}
		: unknown;

// ---------------------------------------------------------------------------------------------------
// Reading the body.

/** What the reader leaves in `request.body` for the extract step: the files received and the raw field values. */
export class MultipartBody {
	readonly files = new Map<string, UploadedFile[]>();
	readonly fields: Record<string, string | string[]> = {};
}

/** The media type this reader understands; any other answers 415. */
export const multipartMediaType = "multipart/form-data";
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

// ---------------------------------------------------------------------------------------------------
// The extract step.

/**
 * The extract step of a multipart declaration: a required file field must have a file, the ordinary fields must
 * pass their schemas; then each is dropped under its name. Problems answer like any extract part:
 * `TYPE_ERROR.multipart.<key>` with every issue found.
 */
export function compileMultipartExtract(
	declaration: AnyMultipart,
	onError: ExtractErrorHandler,
): (floor: RuntimeFloor, request: Request, response: Response) => void {
	const fieldSchema = z.object(declaration.fields);
	const fieldKeys = Object.keys(declaration.fields);
	const files = declaration.files;
	return (floor, request, response) => {
		const body = request.body instanceof MultipartBody ? request.body : new MultipartBody();
		const issues: z.core.$ZodIssue[] = [];
		for (const field of files) {
			if (field.required && !body.files.has(field.name))
				issues.push({
					code: "invalid_type",
					expected: "file",
					path: [field.name],
					message: "Invalid input: expected a file, received none",
				});
		}
		const parsed = fieldSchema.safeParse(body.fields);
		if (!parsed.success) issues.push(...parsed.error.issues);
		if (issues.length > 0) {
			const key = issues[0]?.path[0];
			onError(response, "multipart", typeof key === "string" ? key : undefined, new z.ZodError(issues));
			throw new NoResponseSentError("The extract error handler");
		}
		for (const field of files) {
			const received = body.files.get(field.name) ?? [];
			floor.drop(field.name, field.maxCount === 1 ? received[0] : received);
		}
		const values = parsed.data as Record<string, unknown>;
		for (const key of fieldKeys) floor.drop(key, values[key]);
	};
}
