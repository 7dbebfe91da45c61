// The end of a request: serialises what a step sent and writes it to the client (JSON, text, bytes, files, streams,
// event streams).
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import type { OutgoingHttpHeaders } from "node:http";
import { extname } from "node:path";
import { pipeline as pipeStreams } from "node:stream/promises";
import { FrameworkInfo } from "./errors.js";
import { EventStreamBody, type EventStreamRegistry, openEventStream } from "./event-stream.js";
import type { Request } from "./request.js";
import { FileBody, type Response, StreamBody } from "./response.js";

const contentTypes: Record<string, string> = {
	".html": "text/html; charset=utf-8",
	".js": "text/javascript; charset=utf-8",
	".mjs": "text/javascript; charset=utf-8",
	".css": "text/css; charset=utf-8",
	".json": "application/json; charset=utf-8",
	".map": "application/json; charset=utf-8",
	".txt": "text/plain; charset=utf-8",
	".svg": "image/svg+xml",
	".png": "image/png",
	".jpg": "image/jpeg",
	".jpeg": "image/jpeg",
	".webp": "image/webp",
	".ico": "image/x-icon",
	".woff2": "font/woff2",
};

async function writeFile(
	request: Request,
	response: Response,
	headers: OutgoingHttpHeaders,
	file: FileBody,
): Promise<void> {
	const sink = response.raw;
	let size: number;
	try {
		const stats = await stat(file.path);
		if (!stats.isFile()) throw Object.assign(new Error("not a file"), { code: "ENOENT" });
		size = stats.size;
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
		const body = JSON.stringify({ error: FrameworkInfo.notFound, message: "The file does not exist." });
		response.statusCode = 404;
		sink.writeHead(404, {
			"content-type": "application/json; charset=utf-8",
			"content-length": Buffer.byteLength(body),
			info: FrameworkInfo.notFound,
			"x-request-id": request.id,
		});
		sink.end(body);
		return;
	}
	headers["content-type"] ??=
		file.contentType ?? contentTypes[extname(file.path).toLowerCase()] ?? "application/octet-stream";
	headers["content-length"] = size;
	sink.writeHead(response.statusCode, headers);
	if (request.method === "HEAD") sink.end();
	else await pipeStreams(createReadStream(file.path), sink);
}

async function writeStream(
	request: Request,
	response: Response,
	headers: OutgoingHttpHeaders,
	stream: StreamBody,
): Promise<void> {
	const sink = response.raw;
	headers["content-type"] ??= stream.contentType ?? "application/octet-stream";
	sink.writeHead(response.statusCode, headers);
	if (request.method === "HEAD") {
		stream.readable.destroy();
		sink.end();
	} else {
		await pipeStreams(stream.readable, sink);
	}
}

function isPlainJson(body: unknown): boolean {
	const prototype = Object.getPrototypeOf(body);
	return prototype === Object.prototype || prototype === Array.prototype;
}

/** Serialises the body and writes status, headers and body to the client. */
export function writeResponse(
	request: Request,
	response: Response,
	eventStreams?: EventStreamRegistry,
): void | Promise<void> {
	const headers = response.headerValues as OutgoingHttpHeaders;
	headers["x-request-id"] = request.id;
	if (response.information !== undefined) headers.info = response.information;
	const body = response.body;
	let payload: string | Buffer | undefined;
	if (body === undefined || body === null) {
		payload = undefined;
	} else if (typeof body === "string") {
		payload = body;
		headers["content-type"] ??= "text/plain; charset=utf-8";
	} else if (isPlainJson(body)) {
		// Most answers: a plain object or array, recognised before the `instanceof` tests of the other kinds.
		payload = JSON.stringify(body);
		headers["content-type"] ??= "application/json; charset=utf-8";
	} else if (body instanceof Buffer) {
		payload = body;
		headers["content-type"] ??= "application/octet-stream";
	} else if (body instanceof FileBody) {
		return writeFile(request, response, headers, body);
	} else if (body instanceof StreamBody) {
		return writeStream(request, response, headers, body);
	} else if (body instanceof EventStreamBody) {
		return openEventStream(request, response, headers, body, eventStreams);
	} else {
		payload = JSON.stringify(body);
		headers["content-type"] ??= "application/json; charset=utf-8";
	}
	const sink = response.raw;
	const status = response.statusCode;
	if (payload === undefined) {
		if (status !== 204 && status !== 304) headers["content-length"] = 0;
		sink.writeHead(status, headers);
		sink.end();
		return;
	}
	headers["content-length"] = typeof payload === "string" ? Buffer.byteLength(payload) : payload.length;
	sink.writeHead(status, headers);
	sink.end(request.method === "HEAD" ? undefined : payload);
}
