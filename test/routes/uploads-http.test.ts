// Portrait uploads over real connections, on both storages: a huge file is refused while it is still arriving, an
// upload cut off midway leaves nothing behind (no row, no object, no temporary file), and a storage that is down answers
// 503 keeping nothing.
import { readdir } from "node:fs/promises";
import { connect, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.js";
import type { App } from "../../src/core/index.js";
import type { Database } from "../../src/db/index.js";
import { createStorage } from "../../src/storage/index.js";
import { getTestDatabase, resetTestDatabase } from "../helpers/database.js";
import { createAccountAs, createCharacterAs } from "../helpers/domain.js";
import {
	type FilesTestBed,
	fileRows,
	filesAppPerTest,
	objectKeys,
	pictureBytes,
	storageDrivers,
	uploadFile,
} from "../helpers/files.js";
import { buildIdentityApp, signUp } from "../helpers/identity.js";
import { streamedFile } from "../helpers/multipart-body.js";
import { startS3Server } from "../helpers/s3-server.js";

const MiB = 1024 * 1024;

async function openSocket(port: number): Promise<Socket> {
	const socket = connect({ host: "127.0.0.1", port });
	await new Promise((resolve, reject) => socket.once("connect", resolve).once("error", reject));
	socket.on("error", () => undefined);
	return socket;
}

function write(socket: Socket, bytes: Buffer | string): Promise<void> {
	return new Promise((resolve, reject) => socket.write(bytes, (error) => (error ? reject(error) : resolve())));
}

describe.each(storageDrivers)("portrait uploads over HTTP ($driver)", (driver) => {
	let bed: FilesTestBed;
	let app: App;
	let db: Database;
	filesAppPerTest(driver, (fresh) => {
		bed = fresh;
		({ app, db } = fresh);
	});
	afterEach(() => app.close());

	/** The app listening, what the server had read of each request when it answered, and a character to upload to. */
	async function serve() {
		const { port } = await app.listen({ host: "127.0.0.1", port: 0 });
		const readAtAnswer: number[] = [];
		app.server?.on("request", (request, response) =>
			response.once("finish", () => readAtAnswer.push(request.socket.bytesRead)),
		);
		const player = await signUp(app);
		const account = await createAccountAs(app, player);
		const character = await createCharacterAs(app, player, account.id);
		const head = (form: { contentType: string }, framing: string) =>
			`PUT /api/characters/${character.id}/portrait HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: ${player.headers.authorization}\r\nContent-Type: ${form.contentType}\r\n${framing}\r\n\r\n`;
		return { port, readAtAnswer, head };
	}

	it("answers 413 to a streamed 50 MiB picture against the 2 MiB limit before 3 MiB were read", async () => {
		const { port, readAtAnswer, head } = await serve();
		const socket = await openSocket(port);
		let answer = "";
		socket.on("data", (chunk: Buffer) => {
			answer += chunk.toString("latin1");
		});
		const form = streamedFile({ name: "file", filename: "huge.png", type: "image/png" }, 50 * MiB);
		// Chunked, announcing no size: only the count of what arrives can stop it.
		const chunk = (bytes: Buffer) =>
			Buffer.concat([Buffer.from(`${bytes.length.toString(16)}\r\n`), bytes, Buffer.from("\r\n")]);
		await write(socket, head(form, "Transfer-Encoding: chunked"));
		const png = await pictureBytes("png", 64, 64);
		await write(socket, chunk(Buffer.concat([form.head, png])));
		const piece = Buffer.alloc(64 * 1024, 0x42);
		let written = form.head.length + png.length;
		while (answer === "" && written < 50 * MiB) {
			await write(socket, chunk(piece));
			written += piece.length;
			await new Promise((resolve) => setTimeout(resolve, 1));
		}
		socket.destroy();
		expect(answer).toMatch(/^HTTP\/1\.1 413 /);
		expect(answer).toContain("PAYLOAD_TOO_LARGE");
		expect(readAtAnswer[0]).toBeGreaterThan(2 * MiB);
		expect(readAtAnswer[0]).toBeLessThan(3 * MiB);
		await expect.poll(() => readdir(bed.uploads)).toEqual([]);
		expect(await fileRows(db)).toEqual([]);
	});

	it("leaves no row, no object and no temporary file when the client goes away midway", async () => {
		const { port, head } = await serve();
		const socket = await openSocket(port);
		const size = MiB + 512 * 1024;
		const form = streamedFile({ name: "file", filename: "portrait.png", type: "image/png" }, size);
		await write(socket, head(form, `Content-Length: ${form.length}`));
		await write(socket, Buffer.concat([form.head, await pictureBytes("png", 64, 64), Buffer.alloc(512 * 1024)]));
		// The upload is being received...
		await expect.poll(() => readdir(bed.uploads)).toHaveLength(1);
		// ...when the client goes.
		socket.destroy();
		await expect.poll(() => readdir(bed.uploads)).toEqual([]);
		await bed.deletions.drain();
		expect(await fileRows(db)).toEqual([]);
		expect(await objectKeys(bed.storage.storage)).toEqual([]);
	});
});

describe("a storage that is down", () => {
	it("answers 503 storage.unavailable with Retry-After, and keeps no row", async () => {
		const server = await startS3Server();
		const config = loadConfig({
			APP_ENV: "TEST",
			STORAGE_DRIVER: "s3",
			S3_ENDPOINT: server.endpoint,
			S3_BUCKET: server.bucket,
			S3_ACCESS_KEY_ID: server.credentials.accessKeyId,
			S3_SECRET_ACCESS_KEY: server.credentials.secretAccessKey,
		});
		const storage = createStorage(config);
		const db = await getTestDatabase();
		await resetTestDatabase(db);
		const { app } = buildIdentityApp(db, { storage });
		try {
			const player = await signUp(app);
			const account = await createAccountAs(app, player);
			const character = await createCharacterAs(app, player, account.id);
			await server.stop();
			const response = await uploadFile(
				app,
				player,
				`/api/characters/${character.id}/portrait`,
				await pictureBytes("png", 64, 64),
			);
			expect(response).toAnswer(503, "storage.unavailable");
			expect(response.headers["retry-after"]).toBe("5");
			expect(await fileRows(db)).toEqual([]);
		} finally {
			await storage.close();
		}
	}, 30_000);
});
