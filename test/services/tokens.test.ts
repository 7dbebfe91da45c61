// Opaque secret tokens: their shape, their hash, and the cheap shape check that runs before any lookup.
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { generateToken, hashToken, looksLikeToken, tokenBytes } from "../../src/services/tokens.js";

describe("generateToken", () => {
	it("makes 32 random bytes written as 43 base64url characters", () => {
		const token = generateToken();
		expect(tokenBytes).toBe(32);
		expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
		expect(Buffer.from(token, "base64url")).toHaveLength(32);
	});

	it("never makes the same token twice", () => {
		const tokens = new Set(Array.from({ length: 50 }, generateToken));
		expect(tokens.size).toBe(50);
	});

	it("makes tokens that pass the shape check", () => {
		expect(looksLikeToken(generateToken())).toBe(true);
	});
});

describe("hashToken", () => {
	it("is the SHA-256 of the token's UTF-8 bytes, in lower-case hex", () => {
		expect(hashToken("abc")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
		expect(hashToken("é")).toBe(createHash("sha256").update(Buffer.from("é", "utf8")).digest("hex"));
	});

	it("differs for different tokens and agrees for the same one", () => {
		const token = generateToken();
		expect(hashToken(token)).toBe(hashToken(token));
		expect(hashToken(token)).not.toBe(hashToken(generateToken()));
	});
});

describe("looksLikeToken", () => {
	const valid = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnop-"; // 43 characters
	const alphabet = ["A", "Z", "a", "z", "0", "9", "_", "-"];

	it("accepts 43 characters of the base64url alphabet", () => {
		expect(valid).toHaveLength(43);
		expect(looksLikeToken(valid)).toBe(true);
	});

	it.each(alphabet)("accepts every character of the alphabet (%s)", (character) => {
		expect(looksLikeToken(character.repeat(43))).toBe(true);
	});

	it.each([
		["42 characters", valid.slice(1)],
		["44 characters", `${valid}A`],
		["empty", ""],
		["standard base64 '+'", `${valid.slice(1)}+`],
		["standard base64 '/'", `/${valid.slice(1)}`],
		["padding", `${valid.slice(1)}=`],
		["a space inside", `${valid.slice(0, 20)} ${valid.slice(21)}`],
		["a leading character", `.${valid}`],
		["a trailing character", `${valid}.`],
		["a trailing newline", `${valid}\n`],
		["twice a token", `${valid}${valid}`],
	])("refuses anything else (%s)", (_label, value) => {
		expect(looksLikeToken(value)).toBe(false);
	});
});
