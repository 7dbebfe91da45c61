// The S3 storage: objects in a bucket of AWS S3 or any S3-compatible service (MinIO, Garage, Ceph, s3rver), streamed
// up with multipart uploads and served to browsers through presigned GetObject URLs.

import { PassThrough, pipeline, type Readable } from "node:stream";
import {
	DeleteObjectCommand,
	GetObjectCommand,
	HeadObjectCommand,
	paginateListObjectsV2,
	S3Client,
	type S3ClientConfig,
} from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { checkByteRange } from "./byte-range.js";
import { contentDisposition } from "./content-disposition.js";
import { ContentMeter } from "./content-meter.js";
import { ObjectNotFoundError, RangeNotSatisfiableError, StorageError, StorageUnavailableError } from "./errors.js";
import { assertObjectKey, assertObjectKeyPrefix, isObjectKey } from "./object-key.js";
import { maxSignedUrlSeconds } from "./signed-urls.js";
import type {
	ByteRange,
	ListedObject,
	ObjectStorage,
	PutOptions,
	PutResult,
	SignedUrlOptions,
	StoredObject,
} from "./storage.js";

export interface S3StorageOptions {
	bucket: string;
	region: string;
	/** Unset: AWS S3 itself. Set for S3-compatible services, e.g. `http://127.0.0.1:9000`. */
	endpoint?: string;
	/** `bucket` in the path rather than the host name, as MinIO and s3rver need. */
	forcePathStyle: boolean;
	/** Unset: the SDK's default chain (environment, instance or task role). */
	credentials?: { accessKeyId: string; secretAccessKey: string };
	defaultUrlSeconds: number;
	/** Attempts per request, retries of connection errors and 5xx included (the SDK's default: 3). */
	maxAttempts?: number;
	/** Milliseconds since the epoch; presigned URLs are dated with it. */
	clock?: () => number;
}

/**
 * Parts of a multipart upload. S3's minimum, and what one upload may buffer per part in flight: with two parts in
 * flight, an upload holds at most about 15 MiB whatever the file's size; files under one part go up in one PutObject.
 */
const partBytes = 5 * 1024 * 1024;
const partsInFlight = 2;

/** Network errors (the endpoint is down or unreachable): the storage is unavailable, not the request wrong. */
const networkCodes = new Set([
	"ECONNREFUSED",
	"ECONNRESET",
	"ECONNABORTED",
	"ETIMEDOUT",
	"EPIPE",
	"ENOTFOUND",
	"EAI_AGAIN",
	"EHOSTUNREACH",
	"ENETUNREACH",
]);
/** Answers that mean our configuration (credentials, bucket) is refused: nothing a request can fix either. */
const configurationErrors = new Set([
	"AccessDenied",
	"InvalidAccessKeyId",
	"SignatureDoesNotMatch",
	"NoSuchBucket",
	"InvalidBucketName",
	"AllAccessDisabled",
	"ExpiredToken",
	"InvalidToken",
	"CredentialsProviderError",
	"TimeoutError",
	"RequestTimeout",
]);

interface SdkError {
	name?: string;
	code?: string;
	errors?: Array<{ code?: string }>;
	$metadata?: { httpStatusCode?: number };
}

export function createS3Storage(options: S3StorageOptions): ObjectStorage {
	const clock = options.clock ?? Date.now;
	const config: S3ClientConfig = {
		region: options.region,
		forcePathStyle: options.forcePathStyle,
		// S3-compatible stores reject or mis-handle the CRC32 checksums the SDK adds by default since 2025.
		requestChecksumCalculation: "WHEN_REQUIRED",
		responseChecksumValidation: "WHEN_REQUIRED",
		// A dead endpoint must fail fast enough for a request to answer 503 rather than hang.
		requestHandler: { connectionTimeout: 5_000, socketTimeout: 30_000 },
		...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
		...(options.credentials === undefined ? {} : { credentials: options.credentials }),
		...(options.maxAttempts === undefined ? {} : { maxAttempts: options.maxAttempts }),
	};
	const client = new S3Client(config);
	const Bucket = options.bucket;

	/** Our typed errors for what the SDK throws: the message keeps codes only, never request details or keys. */
	const fail = (error: unknown, operation: string): never => {
		if (error instanceof StorageError) throw error;
		const sdk = (error ?? {}) as SdkError;
		const code = sdk.code ?? sdk.errors?.find((inner) => inner.code !== undefined)?.code;
		const status = sdk.$metadata?.httpStatusCode;
		if (code !== undefined && networkCodes.has(code)) throw new StorageUnavailableError("s3", code, operation);
		if (sdk.name !== undefined && configurationErrors.has(sdk.name))
			throw new StorageUnavailableError("s3", status === undefined ? sdk.name : `${sdk.name} (${status})`, operation);
		if (status !== undefined && (status >= 500 || status === 403 || status === 401))
			throw new StorageUnavailableError("s3", `${sdk.name ?? "error"} (${status})`, operation);
		throw new StorageError(
			`S3 ${operation} failed: ${sdk.name ?? "error"}${status === undefined ? "" : ` (${status})`}`,
		);
	};
	const isMissing = (error: unknown): boolean => {
		const sdk = error as SdkError;
		return sdk.name === "NoSuchKey" || sdk.name === "NotFound";
	};

	return {
		driver: "s3",

		async put(key: string, body: Readable, putOptions: PutOptions): Promise<PutResult> {
			assertObjectKey(key);
			const meter = new ContentMeter(putOptions);
			// The bytes go through the meter to the upload; a failure of the source or of the meter (too many bytes,
			// another digest) ends the upload before its last part, so S3 never completes the object.
			// Listened to directly: these events come before the upload sees its stream fail, pipeline's callback after.
			let sourceError: unknown;
			const remember = (error: unknown) => {
				sourceError ??= error;
			};
			body.on("error", remember);
			meter.on("error", remember);
			const counted = new PassThrough();
			pipeline(body, meter, counted, () => {});
			const upload = new Upload({
				client,
				params: { Bucket, Key: key, Body: counted, ContentType: putOptions.contentType },
				partSize: partBytes,
				queueSize: partsInFlight,
				leavePartsOnError: false,
			});
			try {
				await upload.done();
			} catch (error) {
				body.destroy();
				counted.destroy();
				if (sourceError !== undefined) throw sourceError;
				return fail(error, "put");
			}
			return { size: meter.size, sha256: meter.sha256 };
		},

		async get(key: string, getOptions: { range?: ByteRange } = {}): Promise<StoredObject> {
			assertObjectKey(key);
			const range = getOptions.range;
			if (range !== undefined) checkByteRange(range);
			try {
				const response = await client.send(
					new GetObjectCommand({
						Bucket,
						Key: key,
						...(range === undefined ? {} : { Range: `bytes=${range.start}-${range.end ?? ""}` }),
					}),
				);
				const body = response.Body as Readable;
				const served = parseContentRange(response.ContentRange);
				const size = served?.size ?? response.ContentLength ?? 0;
				return {
					body,
					size,
					...(range === undefined ? {} : { range: { start: served?.start ?? 0, end: served?.end ?? size - 1 } }),
					...(response.ContentType === undefined ? {} : { contentType: response.ContentType }),
				};
			} catch (error) {
				if (isMissing(error)) throw new ObjectNotFoundError(key);
				if ((error as SdkError).name === "InvalidRange" || (error as SdkError).$metadata?.httpStatusCode === 416) {
					// S3 does not say the size with its 416: ask for it, the route's Content-Range needs it.
					const head = await client.send(new HeadObjectCommand({ Bucket, Key: key })).catch((headError) => {
						if (isMissing(headError)) throw new ObjectNotFoundError(key);
						return fail(headError, "get");
					});
					throw new RangeNotSatisfiableError(key, head.ContentLength ?? 0);
				}
				return fail(error, "get");
			}
		},

		async exists(key: string): Promise<boolean> {
			assertObjectKey(key);
			try {
				await client.send(new HeadObjectCommand({ Bucket, Key: key }));
				return true;
			} catch (error) {
				if (isMissing(error)) return false;
				return fail(error, "exists");
			}
		},

		async delete(key: string): Promise<void> {
			assertObjectKey(key);
			// DeleteObject answers 204 for a key that is not there: idempotent by itself.
			await client.send(new DeleteObjectCommand({ Bucket, Key: key })).catch((error) => fail(error, "delete"));
		},

		async *list(prefix: string): AsyncIterable<ListedObject> {
			assertObjectKeyPrefix(prefix);
			try {
				for await (const page of paginateListObjectsV2({ client }, { Bucket, Prefix: prefix })) {
					for (const object of page.Contents ?? []) {
						if (object.Key === undefined || !isObjectKey(object.Key)) continue;
						yield { key: object.Key, size: object.Size ?? 0, lastModified: object.LastModified ?? new Date(0) };
					}
				}
			} catch (error) {
				fail(error, "list");
			}
		},

		async signedUrl(key: string, urlOptions: SignedUrlOptions): Promise<string> {
			assertObjectKey(key);
			const expiresIn = urlOptions.expiresInSeconds ?? options.defaultUrlSeconds;
			if (!Number.isInteger(expiresIn) || expiresIn < 1 || expiresIn > maxSignedUrlSeconds)
				throw new RangeError(`expiresInSeconds must be an integer from 1 to ${maxSignedUrlSeconds}, got ${expiresIn}`);
			const command = new GetObjectCommand({
				Bucket,
				Key: key,
				ResponseContentType: urlOptions.contentType,
				ResponseContentDisposition: contentDisposition(urlOptions.disposition ?? "inline", urlOptions.downloadName),
				ResponseCacheControl: "private, max-age=0",
			});
			// Presigning is local (no request): only a credentials provider that cannot answer makes it fail.
			return getSignedUrl(client, command, { expiresIn, signingDate: new Date(clock()) }).catch((error) =>
				fail(error, "signedUrl"),
			);
		},

		async close(): Promise<void> {
			client.destroy();
		},
	};
}

/** `bytes 0-9/123` → the range served and the whole size. */
function parseContentRange(header: string | undefined): { start: number; end: number; size: number } | undefined {
	const match = header === undefined ? null : /^bytes (\d+)-(\d+)\/(\d+)$/.exec(header);
	if (match === null) return undefined;
	return { start: Number(match[1]), end: Number(match[2]), size: Number(match[3]) };
}
