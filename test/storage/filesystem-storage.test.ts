// What only the filesystem storage does: keys as files under its root and nowhere else, temporary and foreign files
// never listed, signed URLs of our own, and a directory it cannot write raising StorageUnavailableError.
import { randomUUID } from "node:crypto";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { Keyring, SecretKey } from "../../src/secrets/keyring.js";
import {
	createFilesystemStorage,
	type ListedObject,
	type ObjectStorage,
	StorageUnavailableError,
	urlSignerFromKeyring,
} from "../../src/storage/index.js";
import { afterFile } from "../helpers/after-file.js";
import { bufferStream } from "../helpers/byte-streams.js";

const signer = urlSignerFromKeyring(new Keyring(new SecretKey("test", Buffer.alloc(32, 7))));
let directory: string;
let storage: ObjectStorage;
let now = Date.now();

beforeAll(async () => {
	// The storage's root is one level below the temporary directory, so a file escaping it would be seen beside it.
	const parent = await mkdtemp(join(tmpdir(), "filesystem-storage-"));
	afterFile(() => rm(parent, { recursive: true, force: true }));
	directory = join(parent, "root");
	storage = createFilesystemStorage({ directory, signer, defaultUrlSeconds: 300, clock: () => now });
});

async function keysUnder(prefix: string): Promise<string[]> {
	const listed: ListedObject[] = [];
	for await (const object of storage.list(prefix)) listed.push(object);
	return listed.map((object) => object.key).sort();
}

describe("filesystem storage", () => {
	it("creates its root and keeps each key as the file of that path under it", async () => {
		const key = `files/${randomUUID()}`;
		await storage.put(key, bufferStream("on disk"), { contentType: "text/plain" });
		expect(await readFile(join(directory, key), "utf8")).toBe("on disk");
		expect(await readdir(join(directory, ".."))).toEqual(["root"]);
	});

	it("never lists temporary files or names no key can have", async () => {
		const folder = `f-${randomUUID()}`;
		await storage.put(`${folder}/real`, bufferStream("x"), { contentType: "text/plain" });
		await writeFile(join(directory, folder, ".real.abc123.tmp"), "half-written");
		await writeFile(join(directory, folder, "Upper.png"), "put there by hand");
		await mkdir(join(directory, folder, ".hidden"));
		await writeFile(join(directory, folder, ".hidden", "inside"), "x");
		expect(await keysUnder(`${folder}/`)).toEqual([`${folder}/real`]);
	});

	it("signs URLs of its own that its signer verifies, and that expire with its clock", async () => {
		now = Date.now();
		const key = `files/${randomUUID()}`;
		const url = new URL(
			await storage.signedUrl(key, { contentType: "image/webp", disposition: "attachment", downloadName: "e.webp" }),
			"http://localhost",
		);
		expect(url.pathname).toBe(`/api/files/content/${key}`);
		expect(signer.verify(url.pathname, url.searchParams, now)).toMatchObject({
			key,
			contentType: "image/webp",
			disposition: "attachment",
			downloadName: "e.webp",
		});
		expect(signer.verify(url.pathname, url.searchParams, now + 300_000)).toBe("expired");
	});

	it("signs for SIGNED_URL_TTL_SECONDS unless told otherwise", async () => {
		now = Date.UTC(2026, 0, 1);
		const url = new URL(await storage.signedUrl("files/x", { contentType: "image/png" }), "http://localhost");
		expect(url.searchParams.get("expires")).toBe(String(now / 1000 + 300));
		const short = new URL(
			await storage.signedUrl("files/x", { contentType: "image/png", expiresInSeconds: 30 }),
			"http://localhost",
		);
		expect(short.searchParams.get("expires")).toBe(String(now / 1000 + 30));
	});

	it("raises StorageUnavailableError when its directory cannot be written", async () => {
		// /sys refuses new directories even to root (EPERM; EROFS where / is read-only), unlike a chmod'ed directory.
		const unwritable = createFilesystemStorage({
			directory: `/sys/dofus-manager-${randomUUID()}`,
			signer,
			defaultUrlSeconds: 300,
		});
		const failure = await unwritable
			.put("files/x", bufferStream("x"), { contentType: "text/plain" })
			.catch((error: unknown) => error);
		expect(failure).toBeInstanceOf(StorageUnavailableError);
		expect((failure as StorageUnavailableError).reason).toMatch(/^(EPERM|EROFS|EACCES)$/);
	});
});
