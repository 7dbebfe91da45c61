// Opaque secret tokens (sessions, refresh, 2FA challenges, password resets, invitations): made random, stored hashed.
import { createHash, randomBytes } from "node:crypto";

/** 32 bytes = 256 bits of entropy, written as 43 base64url characters. */
export const tokenBytes = 32;

const tokenPattern = /^[A-Za-z0-9_-]{43}$/;

export function generateToken(): string {
	return randomBytes(tokenBytes).toString("base64url");
}

/**
 * SHA-256, hex. A fast hash is enough here (unlike passwords): the input already has 256 bits of
 * entropy, so there is nothing to brute-force. Lookups go by this hash through a unique index, so no
 * secret is ever compared byte by byte in JavaScript, and the index seek leaks nothing an attacker can
 * steer (they cannot choose the hash of their guess).
 */
export function hashToken(token: string): string {
	return createHash("sha256").update(token, "utf8").digest("hex");
}

/** Cheap shape check before any database work: anything else cannot be one of our tokens. */
export function looksLikeToken(value: string): boolean {
	return tokenPattern.test(value);
}
