// A pass-through stream that counts and hashes what a put stores, and fails it before its end when the bytes are not
// the ones announced (so the storage never commits them).
import { createHash } from "node:crypto";
import { Transform, type TransformCallback } from "node:stream";
import { ObjectContentMismatchError } from "./errors.js";

const sha256Pattern = /^[0-9a-f]{64}$/;

export class ContentMeter extends Transform {
	#size = 0;
	readonly #hash = createHash("sha256");
	#digest: string | undefined;

	constructor(readonly expected: { size?: number | undefined; sha256?: string | undefined }) {
		super();
		if (expected.size !== undefined && !(Number.isSafeInteger(expected.size) && expected.size >= 0))
			throw new TypeError(`size must be a non-negative integer, got ${expected.size}`);
		if (expected.sha256 !== undefined && !sha256Pattern.test(expected.sha256))
			throw new TypeError("sha256 must be 64 lower-case hex digits");
	}

	get size(): number {
		return this.#size;
	}

	/** Set once the stream has ended and matched what was announced. */
	get sha256(): string {
		if (this.#digest === undefined) throw new Error("the content has not ended yet");
		return this.#digest;
	}

	override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
		this.#size += chunk.length;
		// Fail as soon as the announced size is passed: no point storing (or buffering) the rest.
		if (this.expected.size !== undefined && this.#size > this.expected.size) {
			callback(new ObjectContentMismatchError(this.expected, { size: this.#size }));
			return;
		}
		this.#hash.update(chunk);
		callback(null, chunk);
	}

	override _flush(callback: TransformCallback): void {
		const sha256 = this.#hash.digest("hex");
		const sizeDiffers = this.expected.size !== undefined && this.expected.size !== this.#size;
		if (sizeDiffers || (this.expected.sha256 !== undefined && this.expected.sha256 !== sha256)) {
			callback(new ObjectContentMismatchError(this.expected, { size: this.#size, sha256 }));
			return;
		}
		this.#digest = sha256;
		callback();
	}
}
