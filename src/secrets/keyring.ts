// The keys that encrypt secrets at rest: the `<key id>:<base64>` format of SECRETS_KEY / SECRETS_KEYS_PREVIOUS, and the keyring.
import {
	createCipheriv,
	createDecipheriv,
	createHash,
	createSecretKey,
	hkdfSync,
	type KeyObject,
	randomBytes,
	timingSafeEqual,
} from "node:crypto";
import { inspect } from "node:util";

/** AES-256: exactly 32 bytes of key. */
export const secretKeyBytes = 32;

/** Stored in every sealed value, so it is kept short and free of the `:` separator. */
const keyIdPattern = /^[A-Za-z0-9_-]{1,32}$/;
/** Standard or URL-safe base64, padding optional; Buffer.from would silently skip anything else. */
const base64Pattern = /^[A-Za-z0-9+/_-]+={0,2}$/;

/** A malformed key entry. The message names what is wrong, never the key material. */
export class SecretKeyFormatError extends Error {
	constructor(message: string) {
		super(message);
		this.name = "SecretKeyFormatError";
	}
}

const ivBytes = 12;
const tagBytes = 16;

/**
 * One AES-256-GCM key and its id. The key bytes live in a private field and never leave this class:
 * logging, JSON or `inspect` show the id only.
 */
export class SecretKey {
	readonly #bytes: Buffer;

	constructor(
		readonly id: string,
		bytes: Buffer,
	) {
		if (!keyIdPattern.test(id))
			throw new SecretKeyFormatError("the key id must be 1 to 32 characters among A-Z a-z 0-9 _ -");
		if (bytes.length !== secretKeyBytes)
			throw new SecretKeyFormatError(`the key is ${bytes.length} bytes, AES-256 needs exactly ${secretKeyBytes}`);
		this.#bytes = Buffer.from(bytes);
	}

	/** Same key bytes (constant time): PROD refuses the public development key whatever id it is given. */
	sameBytes(other: SecretKey): boolean {
		return timingSafeEqual(this.#bytes, other.#bytes);
	}

	/** A fresh random 96-bit IV per call: GCM must never see one IV twice under a key. */
	encrypt(plaintext: string, associatedData: string): { iv: Buffer; ciphertext: Buffer; tag: Buffer } {
		const iv = randomBytes(ivBytes);
		const cipher = createCipheriv("aes-256-gcm", this.#bytes, iv, { authTagLength: tagBytes });
		cipher.setAAD(Buffer.from(associatedData, "utf8"));
		const ciphertext = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
		return { iv, ciphertext, tag: cipher.getAuthTag() };
	}

	/** Throws if the tag does not authenticate the ciphertext and associated data (tampering, or another key). */
	decrypt(parts: { iv: Buffer; ciphertext: Buffer; tag: Buffer }, associatedData: string): string {
		if (parts.iv.length !== ivBytes || parts.tag.length !== tagBytes) throw new Error("bad IV or tag length");
		const decipher = createDecipheriv("aes-256-gcm", this.#bytes, parts.iv, { authTagLength: tagBytes });
		decipher.setAAD(Buffer.from(associatedData, "utf8"));
		decipher.setAuthTag(parts.tag);
		return Buffer.concat([decipher.update(parts.ciphertext), decipher.final()]).toString("utf8");
	}

	/**
	 * A separate 256-bit key for another use (HKDF-SHA256 with the purpose as info), so that one secret serves several
	 * purposes without one use's output telling anything about the AES key or another purpose's key.
	 */
	deriveKey(purpose: string): KeyObject {
		return createSecretKey(
			Buffer.from(hkdfSync("sha256", this.#bytes, "", `dofus-manager:${purpose}`, secretKeyBytes)),
		);
	}

	toJSON(): { id: string } {
		return { id: this.id };
	}

	[inspect.custom](): string {
		return `SecretKey(${this.id})`;
	}
}

/** Parses one `<key id>:<base64 of 32 bytes>` entry. */
export function parseSecretKey(entry: string): SecretKey {
	const separator = entry.indexOf(":");
	if (separator < 0)
		throw new SecretKeyFormatError("expected <key id>:<base64 of 32 bytes>, e.g. 2026-12:<openssl rand -base64 32>");
	const id = entry.slice(0, separator).trim();
	const encoded = entry.slice(separator + 1).trim();
	if (!keyIdPattern.test(id))
		throw new SecretKeyFormatError("the key id must be 1 to 32 characters among A-Z a-z 0-9 _ -");
	if (!base64Pattern.test(encoded)) throw new SecretKeyFormatError(`key "${id}" is not base64`);
	const bytes = Buffer.from(encoded.replaceAll("-", "+").replaceAll("_", "/"), "base64");
	if (bytes.length !== secretKeyBytes)
		throw new SecretKeyFormatError(
			`key "${id}" decodes to ${bytes.length} bytes, AES-256 needs exactly ${secretKeyBytes}`,
		);
	return new SecretKey(id, bytes);
}

/** Parses a comma-separated list of entries; key ids must be distinct. */
export function parseSecretKeyList(list: string): SecretKey[] {
	const keys = list
		.split(",")
		.map((entry) => entry.trim())
		.filter((entry) => entry !== "")
		.map(parseSecretKey);
	const duplicate = keys.find((key, index) => keys.findIndex((other) => other.id === key.id) !== index);
	if (duplicate !== undefined) throw new SecretKeyFormatError(`key id "${duplicate.id}" appears twice`);
	return keys;
}

/**
 * DEV and TEST run with zero setup on this key. Its bytes are derived from a public string, so it protects
 * nothing: PROD refuses to start without SECRETS_KEY and refuses this key as SECRETS_KEY.
 */
export const developmentSecretKey = new SecretKey(
	"dev",
	createHash("sha256").update("dofus-manager public development key, never for production").digest(),
);

export interface SecretsConfig {
	APP_ENV: "DEV" | "TEST" | "PROD";
	SECRETS_KEY: SecretKey | undefined;
	SECRETS_KEYS_PREVIOUS: readonly SecretKey[];
}

/** The current key seals; the current and previous keys open. */
export class Keyring {
	readonly #byId = new Map<string, SecretKey>();

	constructor(
		readonly current: SecretKey,
		readonly previous: readonly SecretKey[] = [],
		/** True when running on the public development key (DEV/TEST without SECRETS_KEY). */
		readonly development = false,
	) {
		for (const key of [current, ...previous]) {
			if (this.#byId.has(key.id)) throw new SecretKeyFormatError(`key id "${key.id}" appears twice in the keyring`);
			this.#byId.set(key.id, key);
		}
	}

	find(id: string): SecretKey | undefined {
		return this.#byId.get(id);
	}

	get ids(): string[] {
		return [...this.#byId.keys()];
	}
}

/**
 * The keyring of a configuration. Outside PROD a missing SECRETS_KEY falls back to the development key, and the
 * development key keeps opening values it sealed, so a developer who sets a real key later keeps their data
 * (the start-up re-encryption moves it to the new key). A PROD config without SECRETS_KEY throws.
 */
export function keyringFromConfig(config: Partial<SecretsConfig>): Keyring {
	const environment = config.APP_ENV ?? "DEV";
	const previous = config.SECRETS_KEYS_PREVIOUS ?? [];
	const current = config.SECRETS_KEY;
	if (current === undefined) {
		if (environment === "PROD") throw new SecretKeyFormatError("SECRETS_KEY is required when APP_ENV=PROD");
		return new Keyring(
			developmentSecretKey,
			previous.filter((key) => key.id !== developmentSecretKey.id),
			true,
		);
	}
	if (environment === "PROD" && current.sameBytes(developmentSecretKey))
		throw new SecretKeyFormatError("SECRETS_KEY is the public development key");
	const acceptsDevelopment =
		environment !== "PROD" && ![current, ...previous].some((key) => key.id === developmentSecretKey.id);
	return new Keyring(current, acceptsDevelopment ? [...previous, developmentSecretKey] : previous);
}
