// SECRETS_KEY entries and the keyring: the `<key id>:<base64 of 32 bytes>` format, validation, and what a keyring accepts.
import { createHash, randomBytes } from "node:crypto";
import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import {
	developmentSecretKey,
	Keyring,
	keyringFromConfig,
	parseSecretKey,
	parseSecretKeyList,
	SecretKey,
	SecretKeyFormatError,
} from "../../src/secrets/keyring.js";

const material = randomBytes(32);
const entry = (id: string, bytes: Buffer = material) => `${id}:${bytes.toString("base64")}`;

describe("parseSecretKey", () => {
	it("reads a key id and 32 bytes of standard or URL-safe base64, padded or not", () => {
		expect(parseSecretKey(entry("2026-12")).id).toBe("2026-12");
		const url = parseSecretKey(`k_2:${material.toString("base64url")}`);
		expect(url.sameBytes(parseSecretKey(entry("other")))).toBe(true);
	});

	it.each([
		["no separator", material.toString("base64"), /<key id>:<base64/],
		["an empty id", `:${material.toString("base64")}`, /key id must be/],
		["an id with a dot", `a.b:${material.toString("base64")}`, /key id must be/],
		["bad base64", "k1:not base64!!", /not base64/],
		["16 bytes", entry("k1", randomBytes(16)), /decodes to 16 bytes, AES-256 needs exactly 32/],
		["33 bytes", entry("k1", randomBytes(33)), /decodes to 33 bytes/],
	])("refuses %s without echoing the key", (_, text, message) => {
		let thrown: unknown;
		try {
			parseSecretKey(text);
		} catch (error) {
			thrown = error;
		}
		expect(thrown).toBeInstanceOf(SecretKeyFormatError);
		expect((thrown as Error).message).toMatch(message);
		expect((thrown as Error).message).not.toContain(text.split(":").pop());
	});

	it("never prints the key bytes: JSON and inspect show the id only", () => {
		const key = parseSecretKey(entry("k1"));
		for (const printed of [JSON.stringify({ key }), inspect(key), inspect({ key }, { showHidden: true })]) {
			expect(printed).toContain("k1");
			expect(printed).not.toContain(material.toString("base64").slice(0, 12));
			expect(printed).not.toContain(material.toString("hex").slice(0, 12));
		}
	});
});

describe("parseSecretKeyList", () => {
	it("reads comma-separated entries, ignoring blanks", () => {
		expect(parseSecretKeyList(` ${entry("a")}, ,${entry("b", randomBytes(32))} `).map((key) => key.id)).toEqual([
			"a",
			"b",
		]);
	});

	it("refuses a key id given twice", () => {
		expect(() => parseSecretKeyList(`${entry("a")},${entry("a", randomBytes(32))}`)).toThrow(
			/key id "a" appears twice/,
		);
	});
});

describe("keyringFromConfig", () => {
	const current = parseSecretKey(entry("now"));
	const old = parseSecretKey(entry("old", randomBytes(32)));

	it("seals with SECRETS_KEY and opens with it and the previous keys", () => {
		const keyring = keyringFromConfig({ APP_ENV: "PROD", SECRETS_KEY: current, SECRETS_KEYS_PREVIOUS: [old] });
		expect([keyring.current.id, keyring.find("old")?.id, keyring.find("dev"), keyring.development]).toEqual([
			"now",
			"old",
			undefined,
			false,
		]);
	});

	it("falls back to the development key in DEV and TEST", () => {
		for (const APP_ENV of ["DEV", "TEST"] as const) {
			const keyring = keyringFromConfig({ APP_ENV });
			expect([keyring.current.id, keyring.development]).toEqual(["dev", true]);
		}
	});

	it("keeps opening development-key values in DEV once a real key is set, never in PROD", () => {
		expect(keyringFromConfig({ APP_ENV: "DEV", SECRETS_KEY: current }).find("dev")).toBe(developmentSecretKey);
		expect(keyringFromConfig({ APP_ENV: "PROD", SECRETS_KEY: current }).find("dev")).toBeUndefined();
	});

	it("refuses PROD without SECRETS_KEY, or with the development key under any id", () => {
		expect(() => keyringFromConfig({ APP_ENV: "PROD" })).toThrow(/SECRETS_KEY is required when APP_ENV=PROD/);
		// The development key's bytes are public (README): the same bytes under another id are still refused.
		const disguised = new SecretKey(
			"prod",
			createHash("sha256").update("dofus-manager public development key, never for production").digest(),
		);
		expect(() => keyringFromConfig({ APP_ENV: "PROD", SECRETS_KEY: disguised })).toThrow(/public development key/);
	});

	it("refuses a keyring naming one id twice", () => {
		expect(() => new Keyring(current, [parseSecretKey(entry("now", randomBytes(32)))])).toThrow(/appears twice/);
	});
});
