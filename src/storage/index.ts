// The storage's public API: what the rest of the app imports from src/storage.
export { checkByteRange, resolveByteRange } from "./byte-range.js";
export { contentDisposition } from "./content-disposition.js";
export { createStorage, type StorageConfig, storageDriver, urlSignerFromConfig } from "./create-storage.js";
export {
	InvalidObjectKeyError,
	ObjectContentMismatchError,
	ObjectNotFoundError,
	RangeNotSatisfiableError,
	StorageError,
	StorageUnavailableError,
} from "./errors.js";
export { createFilesystemStorage, type FilesystemStorageOptions } from "./filesystem-storage.js";
export { assertObjectKey, isObjectKey, maxObjectKeyLength, newObjectKey } from "./object-key.js";
export { createS3Storage, type S3StorageOptions } from "./s3-storage.js";
export {
	maxSignedUrlSeconds,
	type QueryInput,
	type SignedDownload,
	type SignedUrlVerdict,
	signedContentPath,
	UrlSigner,
	urlSignerFromKeyring,
	type VerifiedDownload,
} from "./signed-urls.js";
export type {
	ByteRange,
	ListedObject,
	ObjectStorage,
	PutOptions,
	PutResult,
	SignedUrlOptions,
	StorageDriver,
	StoredObject,
} from "./storage.js";
