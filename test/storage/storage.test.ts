// The storage specification, run against both implementations: the filesystem in a temporary directory and S3 against
// a local s3rver. Keys, streaming round trips, ranges, idempotent deletes, listings, and puts that fail leaving nothing.
import { randomUUID } from "node:crypto";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { developmentSecretKey } from "../../src/secrets/keyring.js";
import {
	createFilesystemStorage,
	createS3Storage,
	InvalidObjectKeyError,
	type ListedObject,
	ObjectContentMismatchError,
	ObjectNotFoundError,
	type ObjectStorage,
	RangeNotSatisfiableError,
	UrlSigner,
} from "../../src/storage/index.js";
import { afterFile } from "../helpers/after-file.js";
import {
	bufferStream,
	digestStream,
	failingStream,
	generatedBytes,
	generatedSha256,
	generatedStream,
	readAll,
} from "../helpers/byte-streams.js";
import { startS3Server } from "../helpers/s3-server.js";

const MiB = 1024 * 1024;
/** Just over one S3 part: the S3 storage uploads it in two parts, the filesystem writes it in 64 KiB chunks. */
const largeSize = 5 * MiB + 1024;

interface Subject {
	storage: ObjectStorage;
	/** Every file under the filesystem storage's root (temporary ones included); undefined for S3. */
	filesOnDisk?: () => Promise<string[]>;
}

const implementations: Array<{ name: string; start: () => Promise<Subject> }> = [
	{
		name: "filesystem",
		async start() {
			const directory = await mkdtemp(join(tmpdir(), "storage-spec-"));
			afterFile(() => rm(directory, { recursive: true, force: true }));
			const storage = createFilesystemStorage({
				directory,
				signer: new UrlSigner(developmentSecretKey.deriveKey("test")),
				defaultUrlSeconds: 300,
			});
			const filesOnDisk = async () =>
				(await readdir(directory, { recursive: true, withFileTypes: true }))
					.filter((entry) => entry.isFile())
					.map((entry) => join(entry.parentPath, entry.name).slice(directory.length + 1));
			return { storage, filesOnDisk };
		},
	},
	{
		name: "s3",
		async start() {
			const server = await startS3Server();
			const storage = createS3Storage({
				bucket: server.bucket,
				region: server.region,
				endpoint: server.endpoint,
				forcePathStyle: true,
				credentials: server.credentials,
				defaultUrlSeconds: 300,
			});
			afterFile(() => storage.close());
			return { storage };
		},
	},
];

async function collect(objects: AsyncIterable<ListedObject>): Promise<ListedObject[]> {
	const listed: ListedObject[] = [];
	for await (const object of objects) listed.push(object);
	return listed.sort((a, b) => a.key.localeCompare(b.key));
}

describe.each(implementations)("ObjectStorage ($name)", ({ start }) => {
	let subject: Subject;
	let storage: ObjectStorage;
	/** A folder of its own for each test, so listings see only what the test put. */
	let folder: string;
	beforeAll(async () => {
		subject = await start();
		storage = subject.storage;
	});
	const freshFolder = () => {
		folder = `t-${randomUUID()}`;
		return folder;
	};

	describe("put and get", () => {
		it("stream a 5 MiB object there and back, chunk by chunk", async () => {
			const key = `${freshFolder()}/large`;
			const stored = await storage.put(key, generatedStream(largeSize), { contentType: "application/octet-stream" });
			expect(stored).toEqual({ size: largeSize, sha256: generatedSha256(largeSize) });

			const object = await storage.get(key);
			expect(object.size).toBe(largeSize);
			expect(object.range).toBeUndefined();
			const read = await digestStream(object.body);
			expect(read).toMatchObject({ size: largeSize, sha256: generatedSha256(largeSize) });
			// Delivered as a stream of pieces, not as one buffer of the whole object.
			expect(read.largestChunk).toBeLessThan(largeSize);
		});

		it("replace what a key held", async () => {
			const key = `${freshFolder()}/replaced`;
			await storage.put(key, bufferStream("first"), { contentType: "text/plain" });
			await storage.put(key, bufferStream("second"), { contentType: "text/plain" });
			expect((await readAll((await storage.get(key)).body)).toString()).toBe("second");
		});

		it("accept the size and SHA-256 the caller announces when they match", async () => {
			const key = `${freshFolder()}/announced`;
			const size = 200_000;
			const result = await storage.put(key, generatedStream(size), {
				contentType: "image/png",
				size,
				sha256: generatedSha256(size),
			});
			expect(result.size).toBe(size);
		});

		it("store an empty object", async () => {
			const key = `${freshFolder()}/empty`;
			expect(await storage.put(key, bufferStream(""), { contentType: "text/plain" })).toMatchObject({ size: 0 });
			const object = await storage.get(key);
			expect(object.size).toBe(0);
			expect((await readAll(object.body)).length).toBe(0);
		});

		it("get a key that holds nothing: ObjectNotFoundError", async () => {
			await expect(storage.get(`${freshFolder()}/missing`)).rejects.toBeInstanceOf(ObjectNotFoundError);
		});
	});

	describe("a put that fails", () => {
		it("leaves no object when its source errors midway", async () => {
			const key = `${freshFolder()}/aborted`;
			const failure = new Error("the client went away");
			// Past one S3 part: the multipart upload has begun and must be aborted.
			await expect(
				storage.put(key, failingStream(5 * MiB + 300_000, failure), { contentType: "image/png" }),
			).rejects.toBe(failure);
			expect(await storage.exists(key)).toBe(false);
			await expect(storage.get(key)).rejects.toBeInstanceOf(ObjectNotFoundError);
			expect(await collect(storage.list(`${folder}/`))).toEqual([]);
			if (subject.filesOnDisk !== undefined)
				expect((await subject.filesOnDisk()).filter((file) => file.startsWith(folder))).toEqual([]);
		});

		it("leaves no object when its source errors before the first byte", async () => {
			const key = `${freshFolder()}/aborted-early`;
			await expect(storage.put(key, failingStream(0), { contentType: "image/png" })).rejects.toThrow(
				"the client went away",
			);
			expect(await storage.exists(key)).toBe(false);
			if (subject.filesOnDisk !== undefined)
				expect((await subject.filesOnDisk()).filter((file) => file.startsWith(folder))).toEqual([]);
		});

		it("keeps the object it would have replaced", async () => {
			const key = `${freshFolder()}/kept`;
			await storage.put(key, bufferStream("the original"), { contentType: "text/plain" });
			await expect(storage.put(key, failingStream(300_000), { contentType: "text/plain" })).rejects.toThrow();
			expect((await readAll((await storage.get(key)).body)).toString()).toBe("the original");
		});

		it("refuses more bytes than announced, storing nothing", async () => {
			const key = `${freshFolder()}/too-long`;
			await expect(
				storage.put(key, generatedStream(300_000), { contentType: "image/png", size: 100_000 }),
			).rejects.toBeInstanceOf(ObjectContentMismatchError);
			expect(await storage.exists(key)).toBe(false);
		});

		it("refuses fewer bytes than announced, storing nothing", async () => {
			const key = `${freshFolder()}/too-short`;
			await expect(
				storage.put(key, generatedStream(1_000), { contentType: "image/png", size: 2_000 }),
			).rejects.toBeInstanceOf(ObjectContentMismatchError);
			expect(await storage.exists(key)).toBe(false);
		});

		it("refuses content whose SHA-256 is not the one announced, storing nothing", async () => {
			const key = `${freshFolder()}/other-digest`;
			const put = storage.put(key, generatedStream(6 * MiB), {
				contentType: "image/png",
				sha256: generatedSha256(6 * MiB, 2),
			});
			await expect(put).rejects.toBeInstanceOf(ObjectContentMismatchError);
			expect(await storage.exists(key)).toBe(false);
			if (subject.filesOnDisk !== undefined)
				expect((await subject.filesOnDisk()).filter((file) => file.startsWith(folder))).toEqual([]);
		});
	});

	describe("get with a range", () => {
		const size = 100_000;
		let key: string;
		beforeAll(async () => {
			key = `${freshFolder()}/ranged`;
			await storage.put(key, generatedStream(size), { contentType: "application/octet-stream" });
		});

		it("serves the bytes from start to end, inclusive, with the whole size", async () => {
			const object = await storage.get(key, { range: { start: 10, end: 19 } });
			expect(object).toMatchObject({ size, range: { start: 10, end: 19 } });
			expect(await readAll(object.body)).toEqual(generatedBytes(10, 19));
		});

		it("serves to the end when no end is given", async () => {
			const object = await storage.get(key, { range: { start: size - 5 } });
			expect(object.range).toEqual({ start: size - 5, end: size - 1 });
			expect(await readAll(object.body)).toEqual(generatedBytes(size - 5, size - 1));
		});

		it("clamps an end past the object to its last byte", async () => {
			const object = await storage.get(key, { range: { start: size - 3, end: size + 1000 } });
			expect(object.range).toEqual({ start: size - 3, end: size - 1 });
			expect((await readAll(object.body)).length).toBe(3);
		});

		it("refuses a start past the end: RangeNotSatisfiableError with the size", async () => {
			const refused = await storage.get(key, { range: { start: size } }).catch((error: unknown) => error);
			expect(refused).toBeInstanceOf(RangeNotSatisfiableError);
			expect((refused as RangeNotSatisfiableError).size).toBe(size);
		});

		it("refuses a reversed range as a caller's error", async () => {
			await expect(storage.get(key, { range: { start: 20, end: 10 } })).rejects.toBeInstanceOf(RangeError);
		});
	});

	describe("exists and delete", () => {
		it("exists says whether a key holds an object", async () => {
			const key = `${freshFolder()}/present`;
			expect(await storage.exists(key)).toBe(false);
			await storage.put(key, bufferStream("x"), { contentType: "text/plain" });
			expect(await storage.exists(key)).toBe(true);
		});

		it("delete removes the object, and deleting it again is not an error", async () => {
			const key = `${freshFolder()}/deleted`;
			await storage.put(key, bufferStream("x"), { contentType: "text/plain" });
			await storage.delete(key);
			expect(await storage.exists(key)).toBe(false);
			await expect(storage.delete(key)).resolves.toBeUndefined();
		});

		it("delete of a key that never held anything is not an error", async () => {
			await expect(storage.delete(`${freshFolder()}/never`)).resolves.toBeUndefined();
		});

		it("a folder is not an object", async () => {
			await storage.put(`${freshFolder()}/inner/object`, bufferStream("x"), { contentType: "text/plain" });
			expect(await storage.exists(`${folder}/inner`)).toBe(false);
			await expect(storage.get(`${folder}/inner`)).rejects.toBeInstanceOf(ObjectNotFoundError);
		});
	});

	describe("list", () => {
		it("yields every object under a prefix with its size and time", async () => {
			const base = freshFolder();
			const before = Date.now() - 5_000;
			await storage.put(`${base}/a/one`, bufferStream("1"), { contentType: "text/plain" });
			await storage.put(`${base}/a/two`, bufferStream("22"), { contentType: "text/plain" });
			await storage.put(`${base}/a/deeper/three`, bufferStream("333"), { contentType: "text/plain" });
			await storage.put(`${base}/b/four`, bufferStream("4444"), { contentType: "text/plain" });

			const listed = await collect(storage.list(`${base}/a/`));
			expect(listed.map(({ key, size }) => ({ key, size }))).toEqual([
				{ key: `${base}/a/deeper/three`, size: 3 },
				{ key: `${base}/a/one`, size: 1 },
				{ key: `${base}/a/two`, size: 2 },
			]);
			for (const object of listed) {
				expect(object.lastModified).toBeInstanceOf(Date);
				expect(object.lastModified.getTime()).toBeGreaterThan(before);
			}
		});

		it("matches a prefix that stops mid-name, as S3 does", async () => {
			const base = freshFolder();
			await storage.put(`${base}/ab/one`, bufferStream("1"), { contentType: "text/plain" });
			await storage.put(`${base}/abc`, bufferStream("1"), { contentType: "text/plain" });
			await storage.put(`${base}/b`, bufferStream("1"), { contentType: "text/plain" });
			expect((await collect(storage.list(`${base}/ab`))).map((object) => object.key)).toEqual([
				`${base}/ab/one`,
				`${base}/abc`,
			]);
		});

		it("yields nothing for a prefix nothing is under", async () => {
			expect(await collect(storage.list(`${freshFolder()}/`))).toEqual([]);
		});

		it("does not yield deleted objects", async () => {
			const base = freshFolder();
			await storage.put(`${base}/kept`, bufferStream("1"), { contentType: "text/plain" });
			await storage.put(`${base}/gone`, bufferStream("1"), { contentType: "text/plain" });
			await storage.delete(`${base}/gone`);
			expect((await collect(storage.list(`${base}/`))).map((object) => object.key)).toEqual([`${base}/kept`]);
		});
	});

	describe("keys", () => {
		const invalidKeys = [
			["a parent reference", "../x"],
			["a parent reference inside", "files/../../etc/passwd"],
			["an absolute path", "/etc/passwd"],
			["a backslash", "files\\..\\x"],
			["a NUL byte", "files/a\u0000b"],
			["a dot segment", "files/./a"],
			["a hidden name", "files/.a"],
			["an extension", "files/a.png"],
			["upper case", "Files/a"],
			["an empty segment", "files//a"],
			["a trailing slash", "files/a/"],
			["a space", "files/a b"],
			["non-ASCII", "files/é"],
			["an empty key", ""],
			["201 characters", `f${"a".repeat(200)}`],
		] as const;

		it.each(invalidKeys)("refuses %s in every operation", async (_, key) => {
			await expect(storage.put(key, bufferStream("x"), { contentType: "text/plain" })).rejects.toBeInstanceOf(
				InvalidObjectKeyError,
			);
			await expect(storage.get(key)).rejects.toBeInstanceOf(InvalidObjectKeyError);
			await expect(storage.exists(key)).rejects.toBeInstanceOf(InvalidObjectKeyError);
			await expect(storage.delete(key)).rejects.toBeInstanceOf(InvalidObjectKeyError);
			await expect(storage.signedUrl(key, { contentType: "text/plain" })).rejects.toBeInstanceOf(InvalidObjectKeyError);
		});

		it.each(["../", "/files", "files\\", "files/./"])("refuses the listing prefix %j", async (prefix) => {
			await expect(collect(storage.list(prefix))).rejects.toBeInstanceOf(InvalidObjectKeyError);
		});

		it("accepts the keys callers generate: files/<uuid>", async () => {
			const key = `files/${randomUUID()}`;
			await storage.put(key, bufferStream("x"), { contentType: "text/plain" });
			expect(await storage.exists(key)).toBe(true);
			await storage.delete(key);
		});
	});
});
