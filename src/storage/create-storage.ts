// The storage of a configuration: the filesystem under STORAGE_DIR by default, S3 when STORAGE_DRIVER or S3_BUCKET
// says so; and the signer that the route serving filesystem downloads verifies with.
import type { Config } from "../config.js";
import { keyringFromConfig, type SecretsConfig } from "../secrets/keyring.js";
import { createFilesystemStorage } from "./filesystem-storage.js";
import { createS3Storage } from "./s3-storage.js";
import { type UrlSigner, urlSignerFromKeyring } from "./signed-urls.js";
import type { ObjectStorage, StorageDriver } from "./storage.js";

export type StorageConfig = Pick<
	Config,
	| "STORAGE_DRIVER"
	| "STORAGE_DIR"
	| "S3_ENDPOINT"
	| "S3_BUCKET"
	| "S3_REGION"
	| "S3_ACCESS_KEY_ID"
	| "S3_SECRET_ACCESS_KEY"
	| "S3_FORCE_PATH_STYLE"
	| "SIGNED_URL_TTL_SECONDS"
> &
	Partial<SecretsConfig>;

/** STORAGE_DRIVER unset: S3 as soon as a bucket is named, the filesystem otherwise. */
export function storageDriver(config: Pick<Config, "STORAGE_DRIVER" | "S3_BUCKET">): StorageDriver {
	return config.STORAGE_DRIVER ?? (config.S3_BUCKET === undefined ? "filesystem" : "s3");
}

/**
 * Signs filesystem download URLs with a key derived from SECRETS_KEY (so PROD, which refuses to start without a
 * real SECRETS_KEY, never signs with a public one) and still accepts those of SECRETS_KEYS_PREVIOUS while rotating.
 */
export function urlSignerFromConfig(config: Partial<SecretsConfig>): UrlSigner {
	return urlSignerFromKeyring(keyringFromConfig(config));
}

export function createStorage(config: StorageConfig, options: { clock?: () => number } = {}): ObjectStorage {
	const clock = options.clock ?? Date.now;
	if (storageDriver(config) === "filesystem") {
		return createFilesystemStorage({
			directory: config.STORAGE_DIR,
			signer: urlSignerFromConfig(config),
			defaultUrlSeconds: config.SIGNED_URL_TTL_SECONDS,
			clock,
		});
	}
	if (config.S3_BUCKET === undefined) throw new Error("S3_BUCKET is required for the S3 storage");
	return createS3Storage({
		bucket: config.S3_BUCKET,
		region: config.S3_REGION,
		...(config.S3_ENDPOINT === undefined ? {} : { endpoint: config.S3_ENDPOINT }),
		// S3-compatible services are mostly reached by path; AWS itself by virtual host.
		forcePathStyle: config.S3_FORCE_PATH_STYLE ?? config.S3_ENDPOINT !== undefined,
		...(config.S3_ACCESS_KEY_ID === undefined || config.S3_SECRET_ACCESS_KEY === undefined
			? {}
			: { credentials: { accessKeyId: config.S3_ACCESS_KEY_ID, secretAccessKey: config.S3_SECRET_ACCESS_KEY } }),
		defaultUrlSeconds: config.SIGNED_URL_TTL_SECONDS,
		clock,
	});
}
