// Password hashing: the stored format, verification, and refusal of malformed hashes.
import { describe, expect, it } from "vitest";
import { defaultScryptParams, hashPassword, verifyPassword } from "../../src/services/passwords.js";

// Cheap parameters keep these tests fast; one test covers the (slow) defaults.
const fast = { N: 2 ** 10, r: 8, p: 1 };

describe("hashPassword", () => {
	it("uses the OWASP parameters by default, in the scrypt$N$r$p$salt$hash format", async () => {
		const hash = await hashPassword("correct horse");
		const [scheme, N, r, p, salt, key] = hash.split("$");
		expect([scheme, Number(N), Number(r), Number(p)]).toEqual(["scrypt", 2 ** 17, 8, 1]);
		expect(defaultScryptParams).toEqual({ N: 2 ** 17, r: 8, p: 1 });
		expect(Buffer.from(salt ?? "", "base64")).toHaveLength(16);
		expect(Buffer.from(key ?? "", "base64")).toHaveLength(32);
		expect(await verifyPassword("correct horse", hash)).toBe(true);
	});

	it("salts every hash", async () => {
		expect(await hashPassword("same", fast)).not.toBe(await hashPassword("same", fast));
	});
});

describe("verifyPassword", () => {
	it("accepts the right password and rejects a wrong one", async () => {
		const hash = await hashPassword("s3cret!", fast);
		expect(await verifyPassword("s3cret!", hash)).toBe(true);
		expect(await verifyPassword("s3cret?", hash)).toBe(false);
	});

	it("reads the parameters from the stored hash", async () => {
		const hash = await hashPassword("pw", { N: 2 ** 11, r: 4, p: 2 });
		expect(hash.startsWith("scrypt$2048$4$2$")).toBe(true);
		expect(await verifyPassword("pw", hash)).toBe(true);
	});

	it("treats Unicode-equivalent passwords as equal", async () => {
		const hash = await hashPassword("caf\u00e9", fast);
		expect(await verifyPassword("cafe\u0301", hash)).toBe(true);
	});

	it.each([
		["empty", ""],
		["another scheme", "$2b$10$abcdefghijklmnopqrstuv"],
		["N not a power of two", "scrypt$1000$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="],
		["missing key", "scrypt$1024$8$1$AAAAAAAAAAAAAAAAAAAAAA==$"],
		["absurd cost", "scrypt$1073741824$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="],
	])("returns false for a malformed hash (%s)", async (_label, stored) => {
		expect(await verifyPassword("pw", stored)).toBe(false);
	});
});
