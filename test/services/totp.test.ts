// TOTP codes (RFC 6238, SHA-1, 6 digits, 30 s): the secret, the provisioning URI, and the single-use verification window.
import { describe, expect, it } from "vitest";
import { generateTotpSecret, otpauthUri, totpCode, verifyTotp } from "../../src/services/totp.js";

// The RFC 6238 test secret, "12345678901234567890" in base32.
const rfcSecret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
const at = (seconds: number) => new Date(seconds * 1000);
const stepOf = (seconds: number) => Math.floor(seconds / 30);

describe("generateTotpSecret", () => {
	it("makes a 160-bit base32 secret", () => {
		const secret = generateTotpSecret();
		expect(secret).toMatch(/^[A-Z2-7]{32}$/);
	});

	it("makes a new secret each time", () => {
		expect(generateTotpSecret()).not.toBe(generateTotpSecret());
	});
});

describe("otpauthUri", () => {
	it("names the issuer and the account, with the secret and the parameters an authenticator needs", () => {
		const uri = new URL(otpauthUri(rfcSecret, "player@example.test"));
		expect(uri.protocol).toBe("otpauth:");
		expect(uri.host).toBe("totp");
		expect(decodeURIComponent(uri.pathname)).toBe("/Dofus Manager:player@example.test");
		expect(Object.fromEntries(uri.searchParams)).toEqual({
			issuer: "Dofus Manager",
			secret: rfcSecret,
			algorithm: "SHA1",
			digits: "6",
			period: "30",
		});
	});
});

describe("totpCode", () => {
	it.each([
		[59, "287082"],
		[1111111109, "081804"],
		[1234567890, "005924"],
		[2000000000, "279037"],
	])("gives the RFC 6238 code at %i s", (seconds, code) => {
		expect(totpCode(rfcSecret, at(seconds))).toBe(code);
	});

	it("keeps one code for a whole 30 s step", () => {
		expect(totpCode(rfcSecret, at(1111111080))).toBe(totpCode(rfcSecret, at(1111111109)));
		expect(totpCode(rfcSecret, at(1111111110))).not.toBe(totpCode(rfcSecret, at(1111111109)));
	});
});

describe("verifyTotp", () => {
	const now = 1111111109;

	it("accepts the current code and answers its step", () => {
		expect(verifyTotp(rfcSecret, totpCode(rfcSecret, at(now)), at(now), null)).toBe(stepOf(now));
	});

	it("accepts the previous and the next step's codes (clock drift) and answers their steps", () => {
		expect(verifyTotp(rfcSecret, totpCode(rfcSecret, at(now - 30)), at(now), null)).toBe(stepOf(now) - 1);
		expect(verifyTotp(rfcSecret, totpCode(rfcSecret, at(now + 30)), at(now), null)).toBe(stepOf(now) + 1);
	});

	it("refuses codes two steps away", () => {
		expect(verifyTotp(rfcSecret, totpCode(rfcSecret, at(now - 60)), at(now), null)).toBeNull();
		expect(verifyTotp(rfcSecret, totpCode(rfcSecret, at(now + 60)), at(now), null)).toBeNull();
	});

	it("refuses a wrong code", () => {
		const code = totpCode(rfcSecret, at(now));
		const wrong = String((Number(code) + 1) % 1_000_000).padStart(6, "0");
		expect(verifyTotp(rfcSecret, wrong, at(now), null)).toBeNull();
	});

	it("refuses a replay: the step already used, or an earlier one", () => {
		const code = totpCode(rfcSecret, at(now));
		expect(verifyTotp(rfcSecret, code, at(now), stepOf(now))).toBeNull();
		expect(verifyTotp(rfcSecret, code, at(now), stepOf(now) + 1)).toBeNull();
	});

	it("accepts a code of a later step than the last one used", () => {
		const code = totpCode(rfcSecret, at(now));
		expect(verifyTotp(rfcSecret, code, at(now), stepOf(now) - 1)).toBe(stepOf(now));
	});

	it.each([
		["five digits", (code: string) => code.slice(1)],
		["seven digits", (code: string) => `${code}0`],
		["a leading space", (code: string) => ` ${code}`],
		["a trailing space", (code: string) => `${code} `],
		["a letter", (code: string) => `${code.slice(0, 5)}a`],
		["a leading sign", (code: string) => `+${code.slice(1)}`],
	])("refuses anything but six digits (%s)", (_label, spoil) => {
		expect(verifyTotp(rfcSecret, spoil(totpCode(rfcSecret, at(now))), at(now), null)).toBeNull();
	});
});
