// Builds multipart/form-data bodies byte for byte, for tests that need to say exactly what each part declares.
import { randomBytes } from "node:crypto";

export interface FormPart {
	name: string;
	/** Present for a file part: the name the client gives the file. */
	filename?: string;
	/** The part's Content-Type header; left out when undefined. */
	type?: string;
	content: Buffer | string;
}

export interface FormBody {
	body: Buffer;
	contentType: string;
	/** The boundary between parts (random, so that no content can contain it by chance). */
	boundary: string;
}

function partHead(boundary: string, part: FormPart): string {
	const disposition =
		part.filename === undefined
			? `form-data; name="${part.name}"`
			: `form-data; name="${part.name}"; filename="${part.filename}"`;
	const type = part.type === undefined ? "" : `Content-Type: ${part.type}\r\n`;
	return `--${boundary}\r\nContent-Disposition: ${disposition}\r\n${type}\r\n`;
}

/** The whole body of a form. */
export function formBody(parts: readonly FormPart[]): FormBody {
	const boundary = `----dofus${randomBytes(8).toString("hex")}`;
	const chunks: Buffer[] = [];
	for (const part of parts) {
		chunks.push(Buffer.from(partHead(boundary, part)));
		chunks.push(typeof part.content === "string" ? Buffer.from(part.content) : part.content);
		chunks.push(Buffer.from("\r\n"));
	}
	chunks.push(Buffer.from(`--${boundary}--\r\n`));
	return { body: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}`, boundary };
}

/** The opening of a form with one file of `size` bytes, and its closing, for bodies streamed piece by piece. */
export function streamedFile(part: Omit<FormPart, "content">, size: number) {
	const boundary = `----dofus${randomBytes(8).toString("hex")}`;
	const head = Buffer.from(partHead(boundary, { ...part, content: "" }));
	const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
	return {
		head,
		tail,
		contentType: `multipart/form-data; boundary=${boundary}`,
		length: head.length + size + tail.length,
	};
}

/** A 1×1 PNG, valid to any decoder. */
export const tinyPng = Buffer.from(
	"iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=",
	"base64",
);

/** The start of a JPEG (SOI, then a JFIF APP0 segment), enough for its magic bytes. */
export const jpegBytes = Buffer.concat([
	Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01]),
	Buffer.from([0x00, 0x01, 0x00, 0x00, 0xff, 0xd9]),
]);

/** An ELF executable's header (x86-64), padded: what `file-type` reads as application/x-elf. */
export const elfBytes = Buffer.concat([
	Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x01, 0x00]),
	Buffer.alloc(8),
	Buffer.from([0x02, 0x00, 0x3e, 0x00, 0x01, 0x00, 0x00, 0x00]),
	Buffer.alloc(200),
]);

/** A Windows executable's DOS header ("MZ"), padded: application/x-msdownload. */
export const peBytes = Buffer.concat([Buffer.from("MZ"), Buffer.alloc(200, 0x90)]);
