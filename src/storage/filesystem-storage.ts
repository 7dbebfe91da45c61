// The filesystem storage: one file per key under a root directory that nothing serves directly; writes go to a
// temporary file beside the target and are renamed into place, so a half-written object is never visible.
import { randomBytes } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdir, open, opendir, rename, rm, stat, unlink } from "node:fs/promises";
import { dirname, isAbsolute, join, relative, resolve } from "node:path";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { resolveByteRange } from "./byte-range.js";
import { ContentMeter } from "./content-meter.js";
import { ObjectNotFoundError, StorageError, StorageUnavailableError } from "./errors.js";
import { assertObjectKey, assertObjectKeyPrefix, isObjectKey } from "./object-key.js";
import type { UrlSigner } from "./signed-urls.js";
import type {
	ByteRange,
	ListedObject,
	ObjectStorage,
	PutOptions,
	PutResult,
	SignedUrlOptions,
	StoredObject,
} from "./storage.js";

export interface FilesystemStorageOptions {
	/** The root directory; created when missing. */
	directory: string;
	signer: UrlSigner;
	/** Lifetime of signed URLs when a call does not say. */
	defaultUrlSeconds: number;
	/** Milliseconds since the epoch; tests move it to expire URLs. */
	clock?: () => number;
}

/** Errors that mean the disk, not the request, is the problem: the storage is unavailable (503). */
const unavailableCodes = new Set(["EACCES", "EPERM", "ENOSPC", "EDQUOT", "EROFS", "EIO", "EMFILE", "ENFILE", "EBUSY"]);
/** A path where a directory is expected or the other way round: for a read, simply no object. */
const absentCodes = new Set(["ENOENT", "ENOTDIR", "EISDIR"]);

/** Temporary files start with a dot, which no key segment may: they can never be read or listed as objects. */
const temporarySuffix = ".tmp";

export function createFilesystemStorage(options: FilesystemStorageOptions): ObjectStorage {
	const root = resolve(options.directory);
	const clock = options.clock ?? Date.now;

	/** The file of `key`, proven to be under the root (the key format already forbids `..`; this is the second lock). */
	const pathOf = (key: string): string => {
		assertObjectKey(key);
		const path = resolve(root, key);
		const inside = relative(root, path);
		if (inside === "" || inside.startsWith("..") || isAbsolute(inside))
			throw new StorageError(`key "${key}" resolves outside the storage directory`);
		return path;
	};

	const fail = (error: unknown, operation: string): never => {
		const code = (error as NodeJS.ErrnoException | undefined)?.code;
		if (code !== undefined && unavailableCodes.has(code))
			throw new StorageUnavailableError("filesystem", code, operation);
		throw error;
	};

	return {
		driver: "filesystem",

		async put(key: string, body: Readable, putOptions: PutOptions): Promise<PutResult> {
			const path = pathOf(key);
			const meter = new ContentMeter(putOptions);
			let sourceError: unknown;
			body.on("error", (error) => {
				sourceError ??= error;
			});
			const directory = dirname(path);
			const temporary = join(
				directory,
				`.${path.slice(directory.length + 1)}.${randomBytes(6).toString("hex")}${temporarySuffix}`,
			);
			try {
				await mkdir(directory, { recursive: true });
				// `wx`: never reuse a file someone else opened; `flush`: the bytes are on disk before the rename publishes them.
				await pipeline(body, meter, createWriteStream(temporary, { flags: "wx", flush: true }));
				await rename(temporary, path);
			} catch (error) {
				body.destroy();
				await unlink(temporary).catch(() => undefined);
				if (sourceError !== undefined) throw sourceError;
				return fail(error, "put");
			}
			return { size: meter.size, sha256: meter.sha256 };
		},

		async get(key: string, getOptions: { range?: ByteRange } = {}): Promise<StoredObject> {
			const path = pathOf(key);
			// Open first, then stat the open file: the size and the bytes are of the same file even if a put renames a
			// new one into place meanwhile.
			const handle = await open(path, "r").catch((error: NodeJS.ErrnoException) => {
				if (absentCodes.has(error.code ?? "")) throw new ObjectNotFoundError(key);
				return fail(error, "get");
			});
			try {
				const info = await handle.stat();
				if (!info.isFile()) throw new ObjectNotFoundError(key);
				const range = getOptions.range === undefined ? undefined : resolveByteRange(key, getOptions.range, info.size);
				const body = handle.createReadStream(range === undefined ? {} : { start: range.start, end: range.end });
				return { body, size: info.size, ...(range === undefined ? {} : { range }) };
			} catch (error) {
				await handle.close();
				if (error instanceof StorageError) throw error;
				return fail(error, "get");
			}
		},

		async exists(key: string): Promise<boolean> {
			const path = pathOf(key);
			try {
				return (await stat(path)).isFile();
			} catch (error) {
				if (absentCodes.has((error as NodeJS.ErrnoException).code ?? "")) return false;
				return fail(error, "exists");
			}
		},

		async delete(key: string): Promise<void> {
			const path = pathOf(key);
			try {
				const info = await stat(path);
				if (info.isFile()) await rm(path, { force: true });
			} catch (error) {
				if (absentCodes.has((error as NodeJS.ErrnoException).code ?? "")) return;
				fail(error, "delete");
			}
		},

		async *list(prefix: string): AsyncIterable<ListedObject> {
			assertObjectKeyPrefix(prefix);
			// Only the directory the prefix names fully (`files/ab` → `files/`) can hold matching keys.
			const folder = prefix.slice(0, prefix.lastIndexOf("/") + 1);
			yield* walk(join(root, folder), folder, prefix, (error) => fail(error, "list"));
		},

		async signedUrl(key: string, urlOptions: SignedUrlOptions): Promise<string> {
			assertObjectKey(key);
			return options.signer.sign(
				{
					key,
					expiresInSeconds: urlOptions.expiresInSeconds ?? options.defaultUrlSeconds,
					contentType: urlOptions.contentType,
					disposition: urlOptions.disposition ?? "inline",
					...(urlOptions.downloadName === undefined ? {} : { downloadName: urlOptions.downloadName }),
				},
				clock(),
			);
		},

		async close(): Promise<void> {},
	};
}

async function* walk(
	directory: string,
	keyPrefix: string,
	wanted: string,
	fail: (error: unknown) => never,
): AsyncGenerator<ListedObject> {
	let entries: Awaited<ReturnType<typeof opendir>>;
	try {
		entries = await opendir(directory);
	} catch (error) {
		if (absentCodes.has((error as NodeJS.ErrnoException).code ?? "")) return;
		fail(error);
	}
	for await (const entry of entries) {
		const key = keyPrefix + entry.name;
		// Names no key can have (temporary files, anything else put there by hand) are not objects.
		if (!isObjectKey(key)) continue;
		if (entry.isDirectory()) {
			if (`${key}/`.startsWith(wanted)) yield* walk(join(directory, entry.name), `${key}/`, wanted, fail);
		} else if (entry.isFile() && key.startsWith(wanted)) {
			const info = await stat(join(directory, entry.name)).catch(() => undefined);
			// Deleted between the listing and the stat: gone, not an error.
			if (info !== undefined) yield { key, size: info.size, lastModified: info.mtime };
		}
	}
}
