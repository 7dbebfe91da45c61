// Reads the request body within a size limit and parses it by content type (JSON, text, urlencoded).

import type { IncomingMessage } from "node:http";
import { parse as parseQueryString } from "node:querystring";
import { FrameworkInfo } from "./errors.js";
import type { Request } from "./request.js";
import type { Response } from "./response.js";

export const defaultBodyLimit = 1_048_576;

/** Content types the built-in parser understands; others get a 415 unless a `parsingBody` hook handles them. */
export const supportedContentTypes = [
	"application/json",
	"application/*+json",
	"text/*",
	"application/x-www-form-urlencoded",
];

/** Reads and parses the body into `request.body`; sends 400, 413 or 415 itself when it must refuse it. */
export function parseBody(request: Request, response: Response, limit: number): void | Promise<void> {
	if (request.bodyParsed || request.body !== undefined) return;
	request.bodyParsed = true;
	const headers = request.headers;
	const declaredLength = headers["content-length"];
	const payload = request.raw.payload;
	if (
		payload === undefined &&
		(declaredLength === "0" || (declaredLength === undefined && headers["transfer-encoding"] === undefined))
	)
		return;
	if (declaredLength !== undefined && Number(declaredLength) > limit) return refuseTooLarge(response, limit);
	if (payload !== undefined) {
		if (payload.length > limit) return refuseTooLarge(response, limit);
		return decodeBody(request, response, payload);
	}
	return readStream(request, response, request.raw as IncomingMessage, limit);
}

function refuseTooLarge(response: Response, limit: number): never {
	// The rest of the upload is read and discarded after the answer (drain.ts): closing the socket while
	// the client is still sending would reset the connection and could lose the answer.
	return response
		.code(413)
		.info(FrameworkInfo.payloadTooLarge)
		.send({ error: FrameworkInfo.payloadTooLarge, message: `The request body is larger than ${limit} bytes.` });
}

/**
 * Reads the body from the socket and decodes it into `request.body`, in one promise (each promise hop
 * is work on every request). Rejects with the response signal when it refuses the body (413, 400, 415).
 */
function readStream(request: Request, response: Response, stream: IncomingMessage, limit: number): Promise<void> {
	return new Promise((resolve, reject) => {
		const chunks: Buffer[] = [];
		let received = 0;
		let settled = false;
		const settle = (finish: () => void) => {
			if (settled) return;
			settled = true;
			try {
				finish();
				resolve();
			} catch (thrown) {
				reject(thrown);
			}
		};
		const onData = (chunk: Buffer) => {
			received += chunk.length;
			if (received > limit) {
				stream.off("data", onData);
				stream.pause();
				settle(() => refuseTooLarge(response, limit));
				return;
			}
			chunks.push(chunk);
		};
		stream.on("data", onData);
		stream.on("end", () =>
			settle(() =>
				decodeBody(request, response, chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, received)),
			),
		);
		// A client that goes away mid-upload makes the request emit "error" (ECONNRESET, "aborted").
		stream.on("error", (error) =>
			settle(() => {
				throw error;
			}),
		);
	});
}

function decodeBody(request: Request, response: Response, bytes: Buffer): void {
	if (bytes.length === 0) return;
	const contentType = request.headers["content-type"];
	// Most bodies are plain JSON: recognise it before parsing the media type.
	const mediaType =
		contentType === "application/json"
			? contentType
			: contentType === undefined
				? ""
				: (contentType.split(";", 1)[0] as string).trim().toLowerCase();
	if (mediaType === "application/json" || (mediaType.startsWith("application/") && mediaType.endsWith("+json"))) {
		try {
			request.body = JSON.parse(bytes.toString("utf8"));
		} catch (error) {
			response
				.code(400)
				.info(FrameworkInfo.bodyParseError)
				.send({
					error: FrameworkInfo.bodyParseError,
					message: `The body is not valid JSON: ${(error as Error).message}`,
				});
		}
		return;
	}
	if (mediaType.startsWith("text/")) {
		request.body = bytes.toString("utf8");
		return;
	}
	if (mediaType === "application/x-www-form-urlencoded") {
		request.body = { ...parseQueryString(bytes.toString("utf8")) };
		return;
	}
	response
		.code(415)
		.info(FrameworkInfo.unsupportedMediaType)
		.send({
			error: FrameworkInfo.unsupportedMediaType,
			message:
				mediaType === ""
					? "The request has a body but no content-type header."
					: `The content type ${mediaType} is not supported here.`,
			supported: supportedContentTypes,
		});
}
