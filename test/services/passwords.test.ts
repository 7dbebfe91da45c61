// Password hashing: the stored format, verification, and refusal of malformed hashes.
import { scryptSync } from "node:crypto";
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

describe("verifyPassword against hand-made hashes", () => {
	// Builds `scrypt$N$r$p$salt$key` with the right key for `password`, so only the format decides the answer.
	function stored(
		password: string,
		{
			N = 16,
			r = 1,
			p = 1,
			salt = Buffer.from("0123456789abcdef"),
			keyLength = 32,
			scheme = "scrypt",
			extra = [] as string[],
		} = {},
	) {
		const key = scryptSync(password.normalize("NFKC"), salt, keyLength, { N, r, p, maxmem: 2 ** 26 });
		return [scheme, N, r, p, salt.toString("base64"), key.toString("base64"), ...extra].join("$");
	}

	it("accepts a well-formed hash at the edges of the allowed parameters", async () => {
		expect(await verifyPassword("pw", stored("pw"))).toBe(true);
		expect(await verifyPassword("pw", stored("pw", { N: 2 }))).toBe(true);
		expect(await verifyPassword("pw", stored("pw", { r: 32 }))).toBe(true);
		expect(await verifyPassword("pw", stored("pw", { p: 16 }))).toBe(true);
		expect(await verifyPassword("pw", stored("pw", { keyLength: 16 }))).toBe(true);
		expect(await verifyPassword("pw", stored("pw", { salt: Buffer.from([7]) }))).toBe(true);
		expect(await verifyPassword("pw", stored("pw", { N: 2 ** 15, r: 1 }))).toBe(true);
		expect(await verifyPassword("pw", stored("pw", { N: 16, r: 32, p: 16 }))).toBe(true);
	});

	it("uses the key length the hash stores", async () => {
		expect(await verifyPassword("pw", stored("pw", { keyLength: 64 }))).toBe(true);
	});

	it.each([
		["another scheme name", { scheme: "bcrypt" }],
		["an extra field", { extra: ["more"] }],
		["N = 1", { N: 1 }],
		["N above 2^20", { N: 2 ** 21, r: 2 }],
		["N at 2^(16 r), which scrypt refuses", { N: 2 ** 16, r: 1 }],
		["r = 0", { r: 0 }],
		["r above 32", { r: 33 }],
		["p = 0", { p: 0 }],
		["p above 16", { p: 17 }],
		["a key shorter than 16 bytes", { keyLength: 15 }],
		["an empty salt", { salt: Buffer.alloc(0) }],
	])("returns false, even with the right key, for %s", async (_label, options) => {
		let hash: string;
		try {
			hash = stored("pw", options);
		} catch {
			// Parameters scrypt itself refuses: hand-write the hash with any key of the right length.
			const { N = 16, r = 1, p = 1 } = options as { N?: number; r?: number; p?: number };
			hash = ["scrypt", N, r, p, "MDEyMzQ1Njc4OWFiY2RlZg==", Buffer.alloc(32, 1).toString("base64")].join("$");
		}
		expect(await verifyPassword("pw", hash)).toBe(false);
	});

	it.each([
		["a fractional r", "scrypt$16$1.5$1$MDEyMzQ1Njc4OWFiY2RlZg==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="],
		["a fractional p", "scrypt$16$1$1.5$MDEyMzQ1Njc4OWFiY2RlZg==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="],
		["a non-numeric N", "scrypt$x$1$1$MDEyMzQ1Njc4OWFiY2RlZg==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="],
		["a fractional N", "scrypt$16.5$1$1$MDEyMzQ1Njc4OWFiY2RlZg==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="],
		["five fields", "scrypt$16$1$1$MDEyMzQ1Njc4OWFiY2RlZg=="],
	])("returns false without throwing for %s", async (_label, hash) => {
		expect(await verifyPassword("pw", hash)).toBe(false);
	});
});
