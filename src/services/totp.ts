// TOTP (RFC 6238) with the otpauth library: secrets, provisioning URIs, and single-use code verification.
import { Secret, TOTP } from "otpauth";

const issuer = "Dofus Manager";
const period = 30;

/** A fresh 160-bit secret (RFC 4226's recommended length), base32 as authenticator apps expect. */
export function generateTotpSecret(): string {
	// Stryker disable next-line ObjectLiteral: 20 bytes is also otpauth's default; the size is written out to be read
	return new Secret({ size: 20 }).base32;
}

function totp(secret: string, label: string): TOTP {
	return new TOTP({ issuer, label, algorithm: "SHA1", digits: 6, period, secret: Secret.fromBase32(secret) });
}

export function otpauthUri(secret: string, accountEmail: string): string {
	return totp(secret, accountEmail).toString();
}

/**
 * Checks a code against the previous, current and next 30 s steps (clock drift). Returns the step it
 * matched, or null. A step at or before `lastStep` is refused so that a code seen once cannot be replayed.
 */
export function verifyTotp(secret: string, code: string, at: Date, lastStep: number | null): number | null {
	// Stryker disable next-line ConditionalExpression,Regex: otpauth compares the whole token with six-digit codes, so it refuses the same inputs; this is the cheap early refusal
	if (!/^\d{6}$/.test(code)) return null;
	// Stryker disable next-line StringLiteral: the label appears only in provisioning URIs, never in a code
	const delta = totp(secret, "verify").validate({ token: code, timestamp: at.getTime(), window: 1 });
	if (delta === null) return null;
	const step = Math.floor(at.getTime() / 1000 / period) + delta;
	if (lastStep !== null && step <= lastStep) return null;
	return step;
}

/** The code an authenticator shows at `at`: for tests and tools. */
export function totpCode(secret: string, at: Date): string {
	// Stryker disable next-line StringLiteral: the label appears only in provisioning URIs, never in a code
	return totp(secret, "code").generate({ timestamp: at.getTime() });
}
