// A local S3 server (s3rver, files in a temporary directory) on a free port with one bucket, for the S3 storage tests;
// stopped and its directory removed when the test file ends. It checks access key ids and presigned URLs' expiry, not
// signatures.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import S3rver from "s3rver";
import { afterFile } from "./after-file.js";

export interface TestS3Server {
	/** `http://127.0.0.1:<port>`: an S3_ENDPOINT, reached by path (S3_FORCE_PATH_STYLE). */
	readonly endpoint: string;
	readonly bucket: string;
	readonly region: string;
	/** The one key pair s3rver knows. */
	readonly credentials: { accessKeyId: string; secretAccessKey: string };
	/** Closes the port: clients get "connection refused". */
	stop(): Promise<void>;
}

export async function startS3Server(options: { bucket?: string } = {}): Promise<TestS3Server> {
	const bucket = options.bucket ?? "test-files";
	const directory = await mkdtemp(join(tmpdir(), "s3rver-"));
	const server = new S3rver({
		address: "127.0.0.1",
		port: 0,
		silent: true,
		directory,
		configureBuckets: [{ name: bucket, configs: [] }],
	});
	const address = await server.run();
	let running = true;
	const stop = async () => {
		if (!running) return;
		running = false;
		await server.close();
	};
	afterFile(async () => {
		await stop();
		await rm(directory, { recursive: true, force: true });
	});
	return {
		endpoint: `http://127.0.0.1:${address.port}`,
		bucket,
		region: "us-east-1",
		credentials: { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" },
		stop,
	};
}
