// Byte streams for storage and upload tests: deterministic content produced chunk by chunk as it is read (never held
// whole), sources that fail midway, and readers that hash what they read instead of keeping it.
import { createHash } from "node:crypto";
import { Readable } from "node:stream";

const chunkBytes = 64 * 1024;

/** Byte `i` of the content of `seed`: a cheap pattern that differs between positions, chunks and seeds. */
function fill(buffer: Buffer, offset: number, seed: number): void {
	for (let index = 0; index < buffer.length; index++)
		buffer[index] = (offset + index) * 31 + seed * 7 + ((offset + index) >> 13);
}

/** `size` bytes of the content of `seed`, produced 64 KiB at a time when the consumer asks for them. */
export function generatedStream(size: number, seed = 1): Readable {
	return Readable.from(chunksOf(size, seed), { objectMode: false });
}

/** The bytes `start..end` (inclusive) of that content, for comparing ranges. */
export function generatedBytes(start: number, end: number, seed = 1): Buffer {
	const buffer = Buffer.allocUnsafe(end - start + 1);
	fill(buffer, start, seed);
	return buffer;
}

/** SHA-256 (hex) of `size` bytes of that content, computed in chunks. */
export function generatedSha256(size: number, seed = 1): string {
	const hash = createHash("sha256");
	for (const chunk of chunksOf(size, seed)) hash.update(chunk);
	return hash.digest("hex");
}

function* chunksOf(size: number, seed: number): Generator<Buffer> {
	for (let offset = 0; offset < size; offset += chunkBytes) {
		const chunk = Buffer.allocUnsafe(Math.min(chunkBytes, size - offset));
		fill(chunk, offset, seed);
		yield chunk;
	}
}

/** Produces `failAfter` bytes of the content, then fails with `error` (a client that hung up mid-upload). */
export function failingStream(failAfter: number, error = new Error("the client went away"), seed = 1): Readable {
	return Readable.from(
		(function* () {
			yield* chunksOf(failAfter, seed);
			throw error;
		})(),
		{ objectMode: false },
	);
}

/** Reads a stream to its end, keeping only its size, its SHA-256 and the largest chunk it delivered. */
export async function digestStream(stream: Readable): Promise<{ size: number; sha256: string; largestChunk: number }> {
	const hash = createHash("sha256");
	let size = 0;
	let largestChunk = 0;
	for await (const chunk of stream as AsyncIterable<Buffer>) {
		hash.update(chunk);
		size += chunk.length;
		largestChunk = Math.max(largestChunk, chunk.length);
	}
	return { size, sha256: hash.digest("hex"), largestChunk };
}

/** Reads a (small) stream into one buffer. */
export async function readAll(stream: Readable): Promise<Buffer> {
	const chunks: Buffer[] = [];
	for await (const chunk of stream as AsyncIterable<Buffer>) chunks.push(chunk);
	return Buffer.concat(chunks);
}

export function bufferStream(content: Buffer | string): Readable {
	return Readable.from([Buffer.from(content)]);
}
