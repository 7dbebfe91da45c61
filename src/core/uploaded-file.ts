// A file received in a multipart body, kept in a temporary file that is deleted when the request ends unless a step takes it.
import { randomBytes } from "node:crypto";
import { createReadStream } from "node:fs";
import { copyFile, type FileHandle, open, rename, unlink } from "node:fs/promises";
import { join } from "node:path";
import type { Readable } from "node:stream";

/** What the temporary files of one request share: where they are, and whether the request is over. */
export class TemporaryFiles {
	private readonly paths = new Set<string>();
	private readonly taken = new Set<string>();
	/** Set once the request is over: a file created or given back after that is deleted at once. */
	private discarded = false;

	constructor(private readonly directory: string) {}

	/** Creates an empty file only this process can read; its name is random, never the client's. */
	async create(): Promise<{ path: string; handle: FileHandle }> {
		const path = join(this.directory, `upload-${randomBytes(12).toString("hex")}`);
		// Registered before the open: a request that ends while the file is being created still deletes it.
		this.paths.add(path);
		const handle = await open(path, "wx", 0o600);
		if (this.discarded) {
			await handle.close();
			await removeFile(path);
			throw new Error("The request ended while one of its files was being received.");
		}
		return { path, handle };
	}

	/** A step took the file away (moved it): it is no longer ours to delete. */
	take(path: string): void {
		this.taken.add(path);
	}

	/** The step could not take it after all: ours again (and deleted now if the request is already over). */
	async giveBack(path: string): Promise<void> {
		this.taken.delete(path);
		if (this.discarded) await removeFile(path);
	}

	/** Deletes every file no step took. Safe to call more than once. */
	async discard(): Promise<void> {
		this.discarded = true;
		const paths = [...this.paths].filter((path) => !this.taken.has(path));
		this.paths.clear();
		await Promise.all(paths.map(removeFile));
	}
}

async function removeFile(path: string): Promise<void> {
	try {
		await unlink(path);
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
	}
}

/** What the multipart reader learnt about one file while it wrote it. */
export interface ReceivedFile {
	readonly fieldName: string;
	readonly originalName: string;
	readonly declaredType: string;
	readonly detectedType: string;
	readonly size: number;
	readonly sha256: string;
	readonly path: string;
}

/**
 * A file of a multipart body, as steps pick it up. Its bytes are in a temporary file (`path`), checked
 * already: no larger than declared, and of an accepted type recognised from its content. That file is
 * deleted when the request ends (the answer sent, or the client gone), unless a step takes it with
 * `moveTo()`. `stream()` reads it without taking it.
 */
export class UploadedFile implements ReceivedFile {
	/** The form field it came in. */
	readonly fieldName: string;
	/** The name the client gave it (without any directory). Never use it as a path: it is the client's. */
	readonly originalName: string;
	/** The part's own Content-Type, as the client said it (`text/plain` when it said none, as RFC 7578 has it). */
	readonly declaredType: string;
	/** The accepted type its content was recognised as: from its magic bytes, or a text type (see docs/core.md). */
	readonly detectedType: string;
	/** Its size in bytes. */
	readonly size: number;
	/** The SHA-256 of its bytes, hexadecimal. */
	readonly sha256: string;
	/** Where its bytes are until the request ends. */
	readonly path: string;
	// Private to the language, not only to the compiler: a file logged or sent as JSON shows what it is, not this.
	readonly #temporaryFiles: TemporaryFiles;

	constructor(received: ReceivedFile, temporaryFiles: TemporaryFiles) {
		this.#temporaryFiles = temporaryFiles;
		this.fieldName = received.fieldName;
		this.originalName = received.originalName;
		this.declaredType = received.declaredType;
		this.detectedType = received.detectedType;
		this.size = received.size;
		this.sha256 = received.sha256;
		this.path = received.path;
	}

	/** Reads the bytes. The file stays the request's: read it before the request ends. */
	stream(): Readable {
		return createReadStream(this.path);
	}

	/**
	 * Moves the file to `destination` and takes it from the request: it is then the caller's, and is no
	 * longer deleted when the request ends. Across file systems it is copied, then the temporary one deleted.
	 */
	async moveTo(destination: string): Promise<void> {
		this.#temporaryFiles.take(this.path);
		try {
			await rename(this.path, destination);
		} catch (error) {
			if ((error as NodeJS.ErrnoException).code !== "EXDEV") {
				await this.#temporaryFiles.giveBack(this.path);
				throw error;
			}
			try {
				await copyFile(this.path, destination);
			} finally {
				await this.#temporaryFiles.giveBack(this.path);
			}
			await removeFile(this.path);
		}
	}
}
