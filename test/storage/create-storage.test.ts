// The storage chosen by the configuration: its variables, their defaults and checks, and which storage and signer
// a configuration gets (PROD signs with its own SECRETS_KEY, never the development key).
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../src/config.js";
import { createStorage, storageDriver, urlSignerFromConfig } from "../../src/storage/index.js";
import { afterFile } from "../helpers/after-file.js";
import { bufferStream, readAll } from "../helpers/byte-streams.js";
import { startS3Server } from "../helpers/s3-server.js";

const download = { key: "files/a", expiresInSeconds: 60, contentType: "image/png", disposition: "inline" } as const;
const prodKey = `prod-1:${randomBytes(32).toString("base64")}`;

function problemsOf(env: Record<string, string>): string {
	try {
		loadConfig(env);
	} catch (error) {
		if (error instanceof ConfigError) return error.message;
		throw error;
	}
	return "";
}

describe("storage configuration", () => {
	it("defaults to the filesystem under ./.data/files and 5-minute URLs", () => {
		const config = loadConfig({});
		expect(config).toMatchObject({ STORAGE_DIR: "./.data/files", S3_REGION: "us-east-1", SIGNED_URL_TTL_SECONDS: 300 });
		expect(storageDriver(config)).toBe("filesystem");
	});

	it("uses S3 as soon as a bucket is named, unless STORAGE_DRIVER says otherwise", () => {
		expect(storageDriver(loadConfig({ S3_BUCKET: "dofus-files" }))).toBe("s3");
		expect(storageDriver(loadConfig({ S3_BUCKET: "dofus-files", STORAGE_DRIVER: "filesystem" }))).toBe("filesystem");
	});

	it("requires a bucket for STORAGE_DRIVER=s3", () => {
		expect(problemsOf({ STORAGE_DRIVER: "s3" })).toMatch(/S3_BUCKET: required when STORAGE_DRIVER=s3/);
	});

	it("takes both S3 credentials or neither", () => {
		expect(problemsOf({ S3_BUCKET: "b-1", S3_ACCESS_KEY_ID: "AKIA" })).toMatch(/S3_SECRET_ACCESS_KEY: .*set both/);
		expect(problemsOf({ S3_BUCKET: "b-1", S3_SECRET_ACCESS_KEY: "shh-secret" })).toMatch(/S3_ACCESS_KEY_ID: /);
		expect(problemsOf({ S3_BUCKET: "b-1", S3_SECRET_ACCESS_KEY: "shh-secret" })).not.toContain("shh-secret");
	});

	it.each([
		["STORAGE_DRIVER", "gcs"],
		["S3_ENDPOINT", "not a url"],
		["S3_BUCKET", "Bad_Bucket"],
		["S3_FORCE_PATH_STYLE", "maybe"],
		["SIGNED_URL_TTL_SECONDS", "0"],
		["SIGNED_URL_TTL_SECONDS", "604801"],
	])("refuses %s=%s", (name, value) => {
		expect(problemsOf({ [name]: value })).toContain(name);
	});
});

describe("createStorage", () => {
	it("gives the filesystem storage on STORAGE_DIR, creating it", async () => {
		const parent = await mkdtemp(join(tmpdir(), "create-storage-"));
		afterFile(() => rm(parent, { recursive: true, force: true }));
		const directory = join(parent, "files");
		const storage = createStorage(loadConfig({ STORAGE_DIR: directory }));
		expect(storage.driver).toBe("filesystem");
		await storage.put("files/a", bufferStream("x"), { contentType: "text/plain" });
		expect(await storage.exists("files/a")).toBe(true);
	});

	it("gives the S3 storage on S3_ENDPOINT, by path unless told otherwise", async () => {
		const server = await startS3Server();
		const storage = createStorage(
			loadConfig({
				S3_ENDPOINT: server.endpoint,
				S3_BUCKET: server.bucket,
				S3_ACCESS_KEY_ID: server.credentials.accessKeyId,
				S3_SECRET_ACCESS_KEY: server.credentials.secretAccessKey,
			}),
		);
		afterFile(() => storage.close());
		expect(storage.driver).toBe("s3");
		await storage.put("files/a", bufferStream("in the bucket"), { contentType: "text/plain" });
		expect((await readAll((await storage.get("files/a")).body)).toString()).toBe("in the bucket");
		expect(new URL(await storage.signedUrl("files/a", { contentType: "text/plain" })).pathname).toBe(
			`/${server.bucket}/files/a`,
		);
	});

	it("signs filesystem URLs with SECRETS_KEY in PROD: the development signer's URLs are refused", () => {
		const development = urlSignerFromConfig(loadConfig({ APP_ENV: "TEST" }));
		const production = urlSignerFromConfig(loadConfig({ APP_ENV: "PROD", SECRETS_KEY: prodKey }));
		const url = new URL(development.sign(download), "http://localhost");
		expect(production.verify(url.pathname, url.searchParams)).toBe("invalid");
		const own = new URL(production.sign(download), "http://localhost");
		expect(production.verify(own.pathname, own.searchParams)).toMatchObject({ key: "files/a" });
	});

	it("refuses to build a PROD signer without SECRETS_KEY", () => {
		expect(() => urlSignerFromConfig({ APP_ENV: "PROD" })).toThrow(/SECRETS_KEY is required/);
	});
});
