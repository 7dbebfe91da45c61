// Signed download URLs for the filesystem storage: `/api/files/content/<key>?expires&type&disposition&name&sig`,
// HMAC-SHA256 over everything the URL decides (key, expiry, type, disposition, name), checked in constant time.
import { createHmac, type KeyObject, timingSafeEqual } from "node:crypto";
import type { Keyring } from "../secrets/keyring.js";
import { isObjectKey } from "./object-key.js";

/** Where the route serving filesystem objects listens; the key follows it. */
export const signedContentPath = "/api/files/content/";

/** S3 presigned URLs cannot live longer than 7 days; ours keep the same bound. */
export const maxSignedUrlSeconds = 7 * 24 * 3600;

/** The HKDF purpose under which the URL key is derived from SECRETS_KEY; changing it voids every URL issued. */
const keyPurpose = "signed-file-urls";

export interface SignedDownload {
	key: string;
	expiresInSeconds: number;
	contentType: string;
	disposition: "inline" | "attachment";
	downloadName?: string;
}

/** What a valid URL grants: the object and how to serve it, all covered by the signature. */
export interface VerifiedDownload {
	key: string;
	contentType: string;
	disposition: "inline" | "attachment";
	downloadName?: string;
	expiresAt: Date;
}

export type SignedUrlVerdict = VerifiedDownload | "expired" | "invalid";

/** A query as node:querystring, URLSearchParams or a framework gives it: a repeated parameter is refused. */
export type QueryInput = URLSearchParams | Readonly<Record<string, unknown>>;

// A media type with optional parameters: what a Content-Type header may carry, without control characters.
const contentTypePattern = /^[\w!#$&^.+-]+\/[\w!#$&^.+-]+(?:[ \t]*;[ \t]*[\w!#$&^.+-]+=(?:[\w!#$&^.+-]+|"[^"\\]*"))*$/;
const signaturePattern = /^[A-Za-z0-9_-]{43}$/;
const expiresPattern = /^[1-9][0-9]{0,11}$/;

export class UrlSigner {
	readonly #signing: KeyObject;
	readonly #verifying: readonly KeyObject[];

	/** Signs with `signing`; accepts URLs signed by it or by any of `previous` (keys being rotated out). */
	constructor(signing: KeyObject, previous: readonly KeyObject[] = []) {
		this.#signing = signing;
		this.#verifying = [signing, ...previous];
	}

	/** The path and query of a URL serving `key` until `now` + `expiresInSeconds`. */
	sign(download: SignedDownload, now: number = Date.now()): string {
		if (!isObjectKey(download.key)) throw new TypeError(`not an object key: ${JSON.stringify(download.key)}`);
		const seconds = download.expiresInSeconds;
		if (!Number.isInteger(seconds) || seconds < 1 || seconds > maxSignedUrlSeconds)
			throw new RangeError(`expiresInSeconds must be an integer from 1 to ${maxSignedUrlSeconds}, got ${seconds}`);
		if (!contentTypePattern.test(download.contentType))
			throw new TypeError(`not a media type: ${JSON.stringify(download.contentType)}`);
		const expires = String(Math.floor(now / 1000) + seconds);
		const fields = {
			key: download.key,
			expires,
			type: download.contentType,
			disposition: download.disposition,
			name: download.downloadName,
		};
		const query = [
			["expires", expires],
			["type", fields.type],
			["disposition", fields.disposition],
			...(fields.name === undefined ? [] : [["name", fields.name]]),
			["sig", hmac(this.#signing, fields).toString("base64url")],
		]
			.map(([name, value]) => `${name}=${encodeURIComponent(value as string)}`)
			.join("&");
		return `${signedContentPath}${download.key}?${query}`;
	}

	/**
	 * What the URL `path` + `query` grants at `now` (ms), or why not: `invalid` for anything malformed or signed by
	 * no key of ours (a changed key, type, name, expiry or signature), `expired` for a genuine URL past its time.
	 */
	verify(path: string, query: QueryInput, now: number = Date.now()): SignedUrlVerdict {
		const pathOnly = path.split("?", 1)[0] ?? "";
		if (!pathOnly.startsWith(signedContentPath)) return "invalid";
		const key = pathOnly.slice(signedContentPath.length);
		const expires = single(query, "expires");
		const type = single(query, "type");
		const disposition = single(query, "disposition");
		const name = single(query, "name");
		const sig = single(query, "sig");
		if (
			!isObjectKey(key) ||
			typeof expires !== "string" ||
			!expiresPattern.test(expires) ||
			typeof type !== "string" ||
			!contentTypePattern.test(type) ||
			(disposition !== "inline" && disposition !== "attachment") ||
			name === null ||
			typeof sig !== "string" ||
			!signaturePattern.test(sig)
		)
			return "invalid";
		const given = Buffer.from(sig, "base64url");
		const fields = { key, expires, type, disposition, name };
		// Every key is tried (no early exit), so the time taken does not tell which one matched.
		let valid = false;
		for (const secret of this.#verifying) valid = timingSafeEqual(hmac(secret, fields), given) || valid;
		if (!valid) return "invalid";
		const expiresAt = new Date(Number(expires) * 1000);
		if (now >= expiresAt.getTime()) return "expired";
		return { key, contentType: type, disposition, ...(name === undefined ? {} : { downloadName: name }), expiresAt };
	}
}

/** The signer of a keyring: a key derived from SECRETS_KEY signs, those of the previous keys still verify. */
export function urlSignerFromKeyring(keyring: Keyring): UrlSigner {
	return new UrlSigner(
		keyring.current.deriveKey(keyPurpose),
		keyring.previous.map((key) => key.deriveKey(keyPurpose)),
	);
}

function hmac(
	secret: KeyObject,
	fields: { key: string; expires: string; type: string; disposition: string; name: string | undefined },
): Buffer {
	// A JSON array keeps the fields apart whatever they contain (a name may hold any character).
	const payload = JSON.stringify([
		"v1",
		fields.key,
		fields.expires,
		fields.type,
		fields.disposition,
		fields.name ?? null,
	]);
	return createHmac("sha256", secret).update(payload).digest();
}

/** The parameter's one value; `undefined` when absent; `null` when repeated or not a string. */
function single(query: QueryInput, name: string): string | undefined | null {
	if (query instanceof URLSearchParams) {
		const values = query.getAll(name);
		return values.length === 0 ? undefined : values.length === 1 ? (values[0] as string) : null;
	}
	const value = query[name];
	return value === undefined ? undefined : typeof value === "string" ? value : null;
}
