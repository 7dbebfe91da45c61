// What only the S3 storage does: presigned GetObject URLs (expiry, type, disposition) served by a real S3 server,
// content types kept with the object, and a store that cannot be used raising StorageUnavailableError without secrets.
import { once } from "node:events";
import { createServer } from "node:net";
import { inspect } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";
import {
	createS3Storage,
	type ObjectStorage,
	type S3StorageOptions,
	StorageUnavailableError,
} from "../../src/storage/index.js";
import { afterFile } from "../helpers/after-file.js";
import { bufferStream, readAll } from "../helpers/byte-streams.js";
import { startS3Server, type TestS3Server } from "../helpers/s3-server.js";

let server: TestS3Server;
let now = Date.now();

function storageOn(overrides: Partial<S3StorageOptions> = {}): ObjectStorage {
	const storage = createS3Storage({
		bucket: server.bucket,
		region: server.region,
		endpoint: server.endpoint,
		forcePathStyle: true,
		credentials: server.credentials,
		defaultUrlSeconds: 300,
		clock: () => now,
		...overrides,
	});
	afterFile(() => storage.close());
	return storage;
}

/** A local port nothing listens on: connections to it are refused at once. */
async function closedPort(): Promise<number> {
	const probe = createServer().listen(0, "127.0.0.1");
	await once(probe, "listening");
	const { port } = probe.address() as { port: number };
	probe.close();
	await once(probe, "close");
	return port;
}

beforeAll(async () => {
	server = await startS3Server();
});

describe("S3 storage: presigned download URLs", () => {
	let storage: ObjectStorage;
	const key = "files/presigned";
	beforeAll(async () => {
		storage = storageOn();
		await storage.put(key, bufferStream("portrait bytes"), { contentType: "image/png" });
	});

	it("are absolute URLs on the endpoint that carry their lifetime", async () => {
		now = Date.now();
		const url = new URL(await storage.signedUrl(key, { contentType: "image/png", expiresInSeconds: 120 }));
		expect(url.origin).toBe(server.endpoint);
		expect(url.pathname).toBe(`/${server.bucket}/${key}`);
		expect(url.searchParams.get("X-Amz-Expires")).toBe("120");
		expect(url.searchParams.get("X-Amz-Algorithm")).toBe("AWS4-HMAC-SHA256");
	});

	it("last SIGNED_URL_TTL_SECONDS when the call does not say", async () => {
		now = Date.now();
		const url = new URL(await storage.signedUrl(key, { contentType: "image/png" }));
		expect(url.searchParams.get("X-Amz-Expires")).toBe("300");
	});

	it("download the bytes with the type and disposition they were signed with", async () => {
		now = Date.now();
		const url = await storage.signedUrl(key, {
			contentType: "image/png",
			disposition: "attachment",
			downloadName: "Portrait de Iop.png",
		});
		const response = await fetch(url);
		expect(response.status).toBe(200);
		expect(response.headers.get("content-type")).toBe("image/png");
		expect(response.headers.get("content-disposition")).toBe(
			`attachment; filename="Portrait de Iop.png"; filename*=UTF-8''Portrait%20de%20Iop.png`,
		);
		expect(response.headers.get("cache-control")).toBe("private, max-age=0");
		expect(await response.text()).toBe("portrait bytes");
	});

	it("are refused by the server once expired", async () => {
		now = Date.now() - 10 * 60_000;
		const url = await storage.signedUrl(key, { contentType: "image/png", expiresInSeconds: 60 });
		now = Date.now();
		const response = await fetch(url);
		expect(response.status).toBe(403);
		expect(await response.text()).toContain("Request has expired");
	});

	it("refuse a lifetime S3 would not accept", async () => {
		await expect(
			storage.signedUrl(key, { contentType: "image/png", expiresInSeconds: 8 * 24 * 3600 }),
		).rejects.toBeInstanceOf(RangeError);
	});
});

describe("S3 storage: metadata", () => {
	it("keeps the content type given to put", async () => {
		const storage = storageOn();
		await storage.put("files/typed", bufferStream("{}"), { contentType: "application/json" });
		const object = await storage.get("files/typed");
		expect(object.contentType).toBe("application/json");
		expect((await readAll(object.body)).toString()).toBe("{}");
	});
});

describe("S3 storage: unavailable", () => {
	const credentials = { accessKeyId: "AKIA-NEVER-PRINTED", secretAccessKey: "secret-never-printed-anywhere" };

	function expectUnavailableWithoutSecrets(error: unknown): void {
		expect(error).toBeInstanceOf(StorageUnavailableError);
		const printed = [
			(error as Error).message,
			(error as Error).stack,
			inspect(error, { depth: 5 }),
			JSON.stringify(error),
		];
		for (const text of printed) {
			expect(text).not.toContain(credentials.accessKeyId);
			expect(text).not.toContain(credentials.secretAccessKey);
		}
	}

	it("every operation on an endpoint refusing connections raises StorageUnavailableError", async () => {
		const storage = storageOn({ endpoint: `http://127.0.0.1:${await closedPort()}`, credentials, maxAttempts: 2 });
		const failures = await Promise.all([
			storage.put("files/down", bufferStream("x"), { contentType: "text/plain" }).catch((error: unknown) => error),
			storage.get("files/down").catch((error: unknown) => error),
			storage.exists("files/down").catch((error: unknown) => error),
			storage.delete("files/down").catch((error: unknown) => error),
			(async () => {
				for await (const _ of storage.list("files/")) return undefined;
			})().catch((error: unknown) => error),
		]);
		for (const failure of failures) expectUnavailableWithoutSecrets(failure);
		expect((failures[0] as StorageUnavailableError).reason).toBe("ECONNREFUSED");
		expect((failures[0] as StorageUnavailableError).message).toBe("S3 storage unavailable during put: ECONNREFUSED");
	});

	it("a put whose endpoint goes down raises StorageUnavailableError", async () => {
		const doomed = await startS3Server();
		const storage = storageOn({
			endpoint: doomed.endpoint,
			bucket: doomed.bucket,
			credentials: doomed.credentials,
			maxAttempts: 1,
		});
		await storage.put("files/before", bufferStream("x"), { contentType: "text/plain" });
		await doomed.stop();
		expectUnavailableWithoutSecrets(
			await storage
				.put("files/after", bufferStream("x"), { contentType: "text/plain" })
				.catch((error: unknown) => error),
		);
	});

	it("credentials the server does not know raise StorageUnavailableError, without them", async () => {
		const storage = storageOn({ credentials });
		const failure = await storage.get("files/presigned").catch((error: unknown) => error);
		expectUnavailableWithoutSecrets(failure);
		expect((failure as StorageUnavailableError).reason).toBe("InvalidAccessKeyId (403)");
	});

	it("a bucket that does not exist raises StorageUnavailableError", async () => {
		const storage = storageOn({ bucket: "no-such-bucket" });
		const failure = await storage
			.put("files/x", bufferStream("x"), { contentType: "text/plain" })
			.catch((error: unknown) => error);
		expect(failure).toBeInstanceOf(StorageUnavailableError);
		expect((failure as StorageUnavailableError).reason).toBe("NoSuchBucket (404)");
	});
});
