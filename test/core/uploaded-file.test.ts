// Specification of an uploaded file and the temporary files of one request: random private names, deletion of what no
// step took, a file moved away (across file systems too) no longer the request's, and a file given back deleted if the
// request is over.
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readdir, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { TemporaryFiles, UploadedFile } from "../../src/core/uploaded-file.js";

let directory: string;
/** A directory on another file system than `directory` when the machine has one (tmpfs), else a sibling. */
let elsewhere: string;

beforeEach(async () => {
	directory = await mkdtemp(join(tmpdir(), "uploaded-file-"));
	elsewhere = await mkdtemp(join(existsSync("/dev/shm") ? "/dev/shm" : tmpdir(), "uploaded-file-elsewhere-"));
});
afterEach(async () => {
	await rm(directory, { recursive: true, force: true });
	await rm(elsewhere, { recursive: true, force: true });
});

async function fileWith(files: TemporaryFiles, content: string): Promise<UploadedFile> {
	const { path, handle } = await files.create();
	await handle.write(content);
	await handle.close();
	return new UploadedFile(
		{
			fieldName: "doc",
			originalName: "../../etc/passwd",
			declaredType: "text/plain",
			detectedType: "text/csv",
			size: Buffer.byteLength(content),
			sha256: "ab",
			path,
		},
		files,
	);
}

describe("temporary files", () => {
	it("are created empty in the directory, with a random name of their own, readable by this process only", async () => {
		const files = new TemporaryFiles(directory);
		const first = await files.create();
		const second = await files.create();
		await first.handle.close();
		await second.handle.close();
		expect(first.path.startsWith(join(directory, "upload-"))).toBe(true);
		expect(first.path).toMatch(/upload-[0-9a-f]{24}$/);
		expect(second.path).not.toBe(first.path);
		expect((await stat(first.path)).size).toBe(0);
		expect((await stat(first.path)).mode & 0o777).toBe(0o600);
	});

	it("are all deleted by discard, which may be called again", async () => {
		const files = new TemporaryFiles(directory);
		await fileWith(files, "a");
		await fileWith(files, "b");
		expect(await readdir(directory)).toHaveLength(2);
		await files.discard();
		expect(await readdir(directory)).toEqual([]);
		await files.discard();
	});

	it("already gone are no error to discard", async () => {
		const files = new TemporaryFiles(directory);
		const file = await fileWith(files, "a");
		await rm(file.path);
		await expect(files.discard()).resolves.toBeUndefined();
	});

	it("that cannot be deleted make discard fail with the reason", async () => {
		const files = new TemporaryFiles(directory);
		const { path, handle } = await files.create();
		await handle.close();
		// A directory where the file was: unlink refuses it (EISDIR or EPERM), which is no ENOENT.
		await rm(path);
		await mkdir(path);
		await expect(files.discard()).rejects.toMatchObject({ code: expect.stringMatching(/^E(ISDIR|PERM)$/) });
	});

	it("created once the request is over are deleted at once, and the receiving fails", async () => {
		const files = new TemporaryFiles(directory);
		await files.discard();
		await expect(files.create()).rejects.toThrow("The request ended while one of its files was being received.");
		expect(await readdir(directory)).toEqual([]);
	});
});

describe("an uploaded file", () => {
	it("reads its bytes with stream()", async () => {
		const file = await fileWith(new TemporaryFiles(directory), "name,level\n");
		const chunks: Buffer[] = [];
		for await (const chunk of file.stream()) chunks.push(chunk as Buffer);
		expect(Buffer.concat(chunks).toString()).toBe("name,level\n");
		expect(file).toMatchObject({ fieldName: "doc", originalName: "../../etc/passwd", size: 11 });
	});

	it("moved away is no longer deleted with the request's files", async () => {
		const files = new TemporaryFiles(directory);
		const kept = await fileWith(files, "kept");
		const left = await fileWith(files, "left");
		const destination = join(directory, "kept.csv");
		await kept.moveTo(destination);
		expect(existsSync(kept.path)).toBe(false);
		await files.discard();
		expect(await readFile(destination, "utf8")).toBe("kept");
		expect(existsSync(left.path)).toBe(false);
	});

	it("moved to another file system is copied, then its temporary file deleted", async () => {
		const files = new TemporaryFiles(directory);
		const file = await fileWith(files, "across");
		const destination = join(elsewhere, "across.csv");
		await file.moveTo(destination);
		expect(await readFile(destination, "utf8")).toBe("across");
		expect(existsSync(file.path)).toBe(false);
		await files.discard();
		expect(await readFile(destination, "utf8")).toBe("across");
	});

	it("that cannot be moved stays the request's: the error is thrown, and the file deleted with the others", async () => {
		const files = new TemporaryFiles(directory);
		const file = await fileWith(files, "stuck");
		await expect(file.moveTo(join(directory, "missing", "x.csv"))).rejects.toMatchObject({ code: "ENOENT" });
		expect(existsSync(file.path)).toBe(true);
		await files.discard();
		expect(existsSync(file.path)).toBe(false);
	});

	it("that cannot be copied to another file system stays the request's", async () => {
		const files = new TemporaryFiles(directory);
		const file = await fileWith(files, "stuck");
		await expect(file.moveTo(join(elsewhere, "missing", "x.csv"))).rejects.toMatchObject({ code: "ENOENT" });
		expect(existsSync(file.path)).toBe(true);
		await files.discard();
		expect(existsSync(file.path)).toBe(false);
	});

	it("given back after the request is over is deleted at once", async () => {
		const files = new TemporaryFiles(directory);
		const file = await fileWith(files, "late");
		files.take(file.path);
		await files.discard();
		expect(existsSync(file.path)).toBe(true);
		await files.giveBack(file.path);
		expect(existsSync(file.path)).toBe(false);
	});

	it("given back while the request goes on is deleted with the others, not before", async () => {
		const files = new TemporaryFiles(directory);
		const file = await fileWith(files, "back");
		files.take(file.path);
		await files.giveBack(file.path);
		expect(existsSync(file.path)).toBe(true);
		await files.discard();
		expect(existsSync(file.path)).toBe(false);
	});

	it("shows what it is, not its temporary files, as JSON", async () => {
		const file = await fileWith(new TemporaryFiles(directory), "x");
		expect(Object.keys(JSON.parse(JSON.stringify(file))).sort()).toEqual(
			["declaredType", "detectedType", "fieldName", "originalName", "path", "sha256", "size"].sort(),
		);
	});
});
