// Secrets sealed at rest with AES-256-GCM: `v1:<key id>:<iv>:<tag>:<ciphertext>`, bound to the row they belong to.
import type { Keyring } from "./keyring.js";

/*
 * Format, all parts base64url without padding:
 *   v1:<key id>:<96-bit IV>:<128-bit GCM tag>:<ciphertext>
 * The associated data is "v1:<key id>:<context>", where the caller's context names the column and row
 * (`users.totp_secret:42`): a value copied onto another row, or given another key id, fails authentication.
 * A stored value without the `v1:` prefix is a secret from before encryption (base32 never holds a `:`).
 */
const version = "v1";

export type SealedSecretProblem = "format" | "unknown-key" | "tampered";

/** A stored value that cannot be opened. The message says why and names the key id, never the secret or the key. */
export class SealedSecretError extends Error {
	constructor(
		readonly problem: SealedSecretProblem,
		message: string,
		readonly keyId?: string,
	) {
		super(message);
		this.name = "SealedSecretError";
	}
}

function associatedData(keyId: string, context: string): string {
	return `${version}:${keyId}:${context}`;
}

/** Encrypts with the keyring's current key. */
export function sealSecret(keyring: Keyring, plaintext: string, context: string): string {
	const key = keyring.current;
	const { iv, ciphertext, tag } = key.encrypt(plaintext, associatedData(key.id, context));
	return [version, key.id, iv.toString("base64url"), tag.toString("base64url"), ciphertext.toString("base64url")].join(
		":",
	);
}

/** True for values stored before encryption existed, which the start-up migration seals. */
export function isUnsealed(stored: string): boolean {
	return !stored.startsWith(`${version}:`);
}

/** The key id a sealed value names (not checked against any keyring). */
export function sealedKeyId(stored: string): string {
	return parse(stored).keyId;
}

function parse(stored: string) {
	const parts = stored.split(":");
	if (parts.length !== 5 || parts[0] !== version)
		throw new SealedSecretError("format", "the stored secret is not in the v1:<key id>:<iv>:<tag>:<ciphertext> format");
	const [, keyId = "", iv = "", tag = "", ciphertext = ""] = parts;
	const base64url = /^[A-Za-z0-9_-]*$/;
	if (keyId === "" || ![iv, tag, ciphertext].every((part) => base64url.test(part))) {
		throw new SealedSecretError("format", "the stored secret has an empty key id or a part that is not base64url");
	}
	return {
		keyId,
		iv: Buffer.from(iv, "base64url"),
		tag: Buffer.from(tag, "base64url"),
		ciphertext: Buffer.from(ciphertext, "base64url"),
	};
}

/** Decrypts with the key the value names; throws a `SealedSecretError` for a bad format, an unknown key id or a failed tag. */
export function openSecret(keyring: Keyring, stored: string, context: string): string {
	const parts = parse(stored);
	const key = keyring.find(parts.keyId);
	if (key === undefined) {
		throw new SealedSecretError(
			"unknown-key",
			`the secret is sealed with key id "${parts.keyId}", which is neither SECRETS_KEY nor in SECRETS_KEYS_PREVIOUS (known: ${keyring.ids.join(", ")})`,
			parts.keyId,
		);
	}
	try {
		return key.decrypt(parts, associatedData(parts.keyId, context));
	} catch {
		throw new SealedSecretError(
			"tampered",
			`the secret sealed with key id "${parts.keyId}" fails authentication: altered, moved from another row, or a different key under that id`,
			parts.keyId,
		);
	}
}
