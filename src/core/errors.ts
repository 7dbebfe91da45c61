// Stable error codes of the framework, and the errors it throws at declaration time or at run time.

/** Infos (and `error` body fields) that the framework itself may answer with. */
export const FrameworkInfo = {
	typeError: "TYPE_ERROR",
	bodyParseError: "BODY_PARSE_ERROR",
	notFound: "NOT_FOUND",
	methodNotAllowed: "METHOD_NOT_ALLOWED",
	payloadTooLarge: "PAYLOAD_TOO_LARGE",
	unsupportedMediaType: "UNSUPPORTED_MEDIA_TYPE",
	/** A multipart body the form cannot take: malformed, an unknown file field, too many files or fields. */
	multipartInvalid: "MULTIPART_INVALID",
	/** A file whose content is not of an accepted type, or not of the type its part declares. */
	fileTypeRejected: "FILE_TYPE_REJECTED",
	internalServerError: "INTERNAL_SERVER_ERROR",
	noResponseSent: "NO_RESPONSE_SENT",
	whatWasSentError: "WHAT_WAS_SENT_ERROR",
} as const;

/** A mistake in how a route, checker or process was declared; thrown when the app is built. */
export class DeclarationError extends Error {
	override name = "DeclarationError";
}

/** `send()` (or `redirect`, `sendFile`, `stream`) was called on a response that was already sent. */
export class ResponseAlreadySentError extends Error {
	override name = "ResponseAlreadySentError";
	constructor(firstInfo: string | undefined) {
		super(
			`The response was already sent (info: ${firstInfo ?? "none"}). ` +
				"A step may send once; if a try/catch in your step caught the response signal, rethrow it " +
				"(`if (isResponseSignal(error)) throw error`).",
		);
	}
}

/** The pipeline ran to its end and nothing called `send()`. */
export class NoResponseSentError extends Error {
	override name = "NoResponseSentError";
	constructor(where: string) {
		super(`${where} returned without sending a response. End every path with response.send(...).`);
	}
}
