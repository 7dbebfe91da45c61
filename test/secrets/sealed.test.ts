// Sealed secrets: AES-256-GCM round trip, refusal of tampered values, unknown key ids, and values moved between rows.
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { Keyring, SecretKey } from "../../src/secrets/keyring.js";
import { isUnsealed, openSecret, SealedSecretError, sealedKeyId, sealSecret } from "../../src/secrets/sealed.js";

const k1 = new SecretKey("k1", randomBytes(32));
const k2 = new SecretKey("k2", randomBytes(32));
const secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
const context = "users.totp_secret:7";

function problemOf(open: () => unknown): SealedSecretError {
	try {
		open();
	} catch (error) {
		expect(error).toBeInstanceOf(SealedSecretError);
		return error as SealedSecretError;
	}
	throw new Error("expected the secret not to open");
}

/** Flips one bit of part `index` (1 key id, 2 IV, 3 tag, 4 ciphertext) of a sealed value. */
function flip(sealed: string, index: number): string {
	const parts = sealed.split(":");
	const bytes = Buffer.from(parts[index] ?? "", "base64url");
	bytes[0] = (bytes[0] ?? 0) ^ 1;
	parts[index] = bytes.toString("base64url");
	return parts.join(":");
}

describe("sealSecret / openSecret", () => {
	it("round-trips, under the current key's id, and holds no plaintext", () => {
		const keyring = new Keyring(k1);
		const sealed = sealSecret(keyring, secret, context);
		expect(sealed).toMatch(/^v1:k1:[A-Za-z0-9_-]{16}:[A-Za-z0-9_-]{22}:[A-Za-z0-9_-]+$/);
		expect(sealed).not.toContain(secret);
		expect(sealedKeyId(sealed)).toBe("k1");
		expect(isUnsealed(sealed)).toBe(false);
		expect(openSecret(keyring, sealed, context)).toBe(secret);
	});

	it("uses a fresh IV every time: the same secret seals differently", () => {
		const keyring = new Keyring(k1);
		expect(sealSecret(keyring, secret, context)).not.toBe(sealSecret(keyring, secret, context));
	});

	it.each([
		["ciphertext", 4],
		["tag", 3],
		["IV", 2],
	])("refuses a value whose %s was altered", (_, index) => {
		const keyring = new Keyring(k1);
		const error = problemOf(() => openSecret(keyring, flip(sealSecret(keyring, secret, context), index), context));
		expect([error.problem, error.keyId]).toEqual(["tampered", "k1"]);
		expect(error.message).not.toContain(secret);
	});

	it("refuses a value copied onto another row (the context is authenticated)", () => {
		const keyring = new Keyring(k1);
		expect(
			problemOf(() => openSecret(keyring, sealSecret(keyring, secret, context), "users.totp_secret:8")).problem,
		).toBe("tampered");
	});

	it("refuses a value relabelled with another known key id", () => {
		const keyring = new Keyring(k1, [k2]);
		const relabelled = sealSecret(keyring, secret, context).replace(/^v1:k1:/, "v1:k2:");
		expect(problemOf(() => openSecret(keyring, relabelled, context)).problem).toBe("tampered");
	});

	it("names an unknown key id and the ids it knows", () => {
		const sealed = sealSecret(new Keyring(k1), secret, context);
		const error = problemOf(() => openSecret(new Keyring(k2), sealed, context));
		expect([error.problem, error.keyId]).toEqual(["unknown-key", "k1"]);
		expect(error.message).toContain(
			'key id "k1", which is neither SECRETS_KEY nor in SECRETS_KEYS_PREVIOUS (known: k2)',
		);
	});

	it("opens a value sealed with a previous key of the keyring (rotation)", () => {
		const sealed = sealSecret(new Keyring(k1), secret, context);
		expect(openSecret(new Keyring(k2, [k1]), sealed, context)).toBe(secret);
	});

	it("refuses a plain value or a malformed one as a format problem", () => {
		const keyring = new Keyring(k1);
		expect(isUnsealed(secret)).toBe(true);
		expect(problemOf(() => openSecret(keyring, secret, context)).problem).toBe("format");
		expect(problemOf(() => openSecret(keyring, "v1:k1:only-three", context)).problem).toBe("format");
		expect(problemOf(() => openSecret(keyring, "v1::a:b:c", context)).problem).toBe("format");
	});
});
