// Fixtures for the files feature: both storages built from config as the runtime builds them (a temporary directory,
// a local s3rver), apps on them, real images made with sharp, uploads and downloads, and what a storage, the files
// table and the deletion log hold.
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import sharp from "sharp";
import { beforeAll, beforeEach } from "vitest";
import type { AppDependencies } from "../../src/app.js";
import { loadConfig } from "../../src/config.js";
import type { App } from "../../src/core/index.js";
import type { Database, DatabaseHandle, Executor } from "../../src/db/index.js";
import { fileDeletions, files } from "../../src/db/schema/index.js";
import { createFileDeletions, type FileDeletions } from "../../src/services/file-deletions.js";
import { squareVariants } from "../../src/services/images.js";
import { pictureSides } from "../../src/services/pictures.js";
import { createStorage, type ObjectStorage, type StorageDriver } from "../../src/storage/index.js";
import { afterFile } from "./after-file.js";
import { getTestDatabaseHandle, resetTestDatabase } from "./database.js";
import { buildIdentityApp, type TestClock, testClock } from "./identity.js";
import { formBody } from "./multipart-body.js";
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

/** The bytes a portrait or emblem made of `picture` stores (both variants), from the re-encoding the routes run. */
export async function storedPictureBytes(picture: Buffer): Promise<number> {
	const directory = await mkdtemp(join(tmpdir(), "picture-source-"));
	try {
		const path = join(directory, "source");
		await writeFile(path, picture);
		const variants = await squareVariants(path, [pictureSides.full, pictureSides.thumbnail]);
		return variants.reduce((sum, variant) => sum + variant.bytes.length, 0);
	} finally {
		await rm(directory, { recursive: true, force: true });
	}
}

/** What sharp reads of an image: its format and size, and whether it carries EXIF. */
export async function pictureInfo(bytes: Buffer) {
	const metadata = await sharp(bytes).metadata();
	return { format: metadata.format, width: metadata.width, height: metadata.height, exif: metadata.exif !== undefined };
}

/** Everything a files route test holds: an app on one storage with a clock it can move, and where its uploads wait. */
export interface FilesTestBed {
	handle: DatabaseHandle;
	db: Database;
	app: App;
	clock: TestClock;
	storage: TestStorage;
	/** The upload directory: empty again once every request has ended. */
	uploads: string;
	/** The deletion log's drain, as the workers run it. */
	deletions: FileDeletions;
	/** Another app on the same database, storage, clock and upload directory, with other settings. */
	rebuild(config: Partial<AppDependencies["config"]>): App;
}

/**
 * The set-up of a files route test file, per storage driver: the storage and the upload directory once, then before
 * each test an emptied database and storage, a clock at the real time (storages date their objects by it), and a new
 * app on them. `config` overrides the app's (quota, rate limit, URL lifetime).
 */
export function filesAppPerTest(
	driver: (typeof storageDrivers)[number],
	receive: (bed: FilesTestBed) => void,
	config: Partial<AppDependencies["config"]> = {},
): void {
	let handle: DatabaseHandle;
	let storage: TestStorage;
	let uploads: string;
	let clock: TestClock = testClock(new Date());
	beforeAll(async () => {
		handle = await getTestDatabaseHandle();
		storage = await driver.start(() => clock().getTime());
		uploads = await mkdtemp(join(tmpdir(), "files-uploads-"));
		afterFile(() => rm(uploads, { recursive: true, force: true }));
	});
	beforeEach(async () => {
		await resetTestDatabase(handle.db);
		for (const key of await objectKeys(storage.storage)) await storage.storage.delete(key);
		clock = testClock(new Date());
		const build = (settings: Partial<AppDependencies["config"]>) =>
			buildIdentityApp(handle.db, { clock, storage: storage.storage, uploadDirectory: uploads, config: settings }).app;
		const deletions = createFileDeletions({
			db: handle.db,
			storage: storage.storage,
			logger: pino({ level: "silent" }),
		});
		receive({
			handle,
			db: handle.db,
			app: build(config),
			clock,
			storage,
			uploads,
			deletions,
			rebuild: (more) => build({ ...config, ...more }),
		});
	});
}

/** PUTs one file as the form part `file` (a PNG named portrait.png unless told otherwise). */
export function uploadFile(
	app: App,
	user: { headers: { authorization: string } },
	url: string,
	content: Buffer,
	part: { filename?: string; type?: string } = {},
) {
	const form = formBody([
		{ name: "file", filename: part.filename ?? "portrait.png", type: part.type ?? "image/png", content },
	]);
	return app.inject({
		method: "PUT",
		url,
		headers: { ...user.headers, "content-type": form.contentType },
		body: form.body,
	});
}

/**
 * Follows a download: GET /api/files/{id} as `user`, then its signed URL (our route through the app for the
 * filesystem, the S3 server over HTTP for S3). The redirect and what the signed URL answered.
 */
export async function download(app: App, user: { headers: { authorization: string } }, url: string) {
	const redirect = await app.inject({ url, headers: user.headers });
	const location = String(redirect.headers.location ?? "");
	if (redirect.statusCode !== 302) return { redirect, location, status: 0, bytes: Buffer.alloc(0), headers: {} };
	if (location.startsWith("/")) {
		const served = await app.inject({ url: location });
		return { redirect, location, status: served.statusCode, bytes: served.rawBody, headers: served.headers };
	}
	const served = await fetch(location);
	return {
		redirect,
		location,
		status: served.status,
		bytes: Buffer.from(await served.arrayBuffer()),
		headers: Object.fromEntries(served.headers),
	};
}
