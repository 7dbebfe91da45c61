// Fixtures for the files feature: both storages built from config as the runtime builds them (a temporary directory,
// a local s3rver), real images made with sharp, and what a storage, the files table and the deletion log hold.
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import sharp from "sharp";
import { loadConfig } from "../../src/config.js";
import type { Executor } from "../../src/db/index.js";
import { fileDeletions, files } from "../../src/db/schema/index.js";
import { createStorage, type ObjectStorage, type StorageDriver } from "../../src/storage/index.js";
import { afterFile } from "./after-file.js";
import { startS3Server } from "./s3-server.js";

export interface TestStorage {
	driver: StorageDriver;
	storage: ObjectStorage;
	/** The filesystem storage's root; undefined for S3. */
	directory?: string;
}

/**
 * The two storages a test file runs its files suite on (`describe.each(storageDrivers)`), made by `createStorage` from
 * a parsed config like the runtime's; `clock` (ms) dates their signed URLs. Each is closed when the file ends.
 */
export const storageDrivers: Array<{ driver: StorageDriver; start: (clock?: () => number) => Promise<TestStorage> }> = [
	{
		driver: "filesystem",
		async start(clock) {
			const directory = await mkdtemp(join(tmpdir(), "files-storage-"));
			afterFile(() => rm(directory, { recursive: true, force: true }));
			const config = loadConfig({ APP_ENV: "TEST", STORAGE_DRIVER: "filesystem", STORAGE_DIR: directory });
			const storage = createStorage(config, clock === undefined ? {} : { clock });
			afterFile(() => storage.close());
			return { driver: "filesystem", storage, directory };
		},
	},
	{
		driver: "s3",
		async start(clock) {
			const server = await startS3Server();
			const config = loadConfig({
				APP_ENV: "TEST",
				STORAGE_DRIVER: "s3",
				S3_ENDPOINT: server.endpoint,
				S3_BUCKET: server.bucket,
				S3_REGION: server.region,
				S3_ACCESS_KEY_ID: server.credentials.accessKeyId,
				S3_SECRET_ACCESS_KEY: server.credentials.secretAccessKey,
			});
			const storage = createStorage(config, clock === undefined ? {} : { clock });
			afterFile(() => storage.close());
			return { driver: "s3", storage };
		},
	},
];

/** Every object key under `files/`, sorted. */
export async function objectKeys(storage: ObjectStorage): Promise<string[]> {
	const keys: string[] = [];
	for await (const object of storage.list("files/")) keys.push(object.key);
	return keys.sort();
}

/** Every file on disk under a directory (temporary files of the storage and of uploads included). */
export async function filesUnder(directory: string): Promise<string[]> {
	return (await readdir(directory, { recursive: true, withFileTypes: true }))
		.filter((entry) => entry.isFile())
		.map((entry) => join(entry.parentPath, entry.name));
}

/** The rows of `files`, oldest first. */
export function fileRows(db: Executor) {
	return db.select().from(files).orderBy(files.createdAt, files.id);
}

export function deletionLog(db: Executor) {
	return db.select().from(fileDeletions).orderBy(fileDeletions.id);
}

/**
 * A real picture: a `width` × `height` gradient with a red square, encoded by sharp as PNG, JPEG or WebP. `exif` adds
 * an EXIF block (an artist and a GPS-like comment) that re-encoding must drop.
 */
export async function pictureBytes(
	format: "png" | "jpeg" | "webp",
	width: number,
	height: number,
	options: { exif?: boolean } = {},
): Promise<Buffer> {
	const pixels = Buffer.alloc(width * height * 3);
	for (let y = 0; y < height; y++)
		for (let x = 0; x < width; x++) {
			const offset = (y * width + x) * 3;
			const inSquare = x > width / 4 && x < width / 2 && y > height / 4 && y < height / 2;
			pixels[offset] = inSquare ? 255 : Math.floor((x / width) * 255);
			pixels[offset + 1] = inSquare ? 0 : Math.floor((y / height) * 255);
			pixels[offset + 2] = inSquare ? 0 : 128;
		}
	let image = sharp(pixels, { raw: { width, height, channels: 3 } });
	if (options.exif) image = image.withExif({ IFD0: { Artist: "Secret Artist", ImageDescription: "48.8566N 2.3522E" } });
	return image.toFormat(format).toBuffer();
}

/** What sharp reads of an image: its format and size, and whether it carries EXIF. */
export async function pictureInfo(bytes: Buffer) {
	const metadata = await sharp(bytes).metadata();
	return { format: metadata.format, width: metadata.width, height: metadata.height, exif: metadata.exif !== undefined };
}
