// Password hashing with scrypt (node:crypto), stored as `scrypt$N$r$p$salt$hash` so parameters can evolve.
import { randomBytes, type ScryptOptions, scrypt, timingSafeEqual } from "node:crypto";

export interface ScryptParams {
	/** CPU/memory cost, a power of two. */
	N: number;
	r: number;
	p: number;
}

/** OWASP's recommendation for scrypt: N=2^17, r=8, p=1 (128 MiB, a few hundred ms). */
export const defaultScryptParams: ScryptParams = { N: 2 ** 17, r: 8, p: 1 };

const saltBytes = 16;
const keyBytes = 32;

function derive(password: string, salt: Buffer, params: ScryptParams, length: number): Promise<Buffer> {
	// Node refuses to use more than 32 MiB unless told: allow exactly what scrypt needs (its V and B arrays).
	const options: ScryptOptions = { ...params, maxmem: 128 * params.r * (params.N + params.p + 2) };
	return new Promise((resolve, reject) => {
		scrypt(password.normalize("NFKC"), salt, length, options, (error, key) => (error ? reject(error) : resolve(key)));
	});
}

export async function hashPassword(password: string, params: ScryptParams = defaultScryptParams): Promise<string> {
	const salt = randomBytes(saltBytes);
	const key = await derive(password, salt, params, keyBytes);
	return ["scrypt", params.N, params.r, params.p, salt.toString("base64"), key.toString("base64")].join("$");
}

/** False for a wrong password and for anything that is not one of our hashes (never throws on bad input). */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
	const parsed = parseHash(stored);
	if (parsed === null) return false;
	const key = await derive(password, parsed.salt, parsed.params, parsed.key.length);
	return timingSafeEqual(key, parsed.key);
}

function parseHash(stored: string): { params: ScryptParams; salt: Buffer; key: Buffer } | null {
	const parts = stored.split("$");
	if (parts.length !== 6 || parts[0] !== "scrypt") return null;
	const [N, r, p] = parts.slice(1, 4).map(Number);
	// Stryker disable next-line StringLiteral: parts has six entries here, so the fallback is never used
	const salt = Buffer.from(parts[4] ?? "", "base64");
	// Stryker disable next-line StringLiteral: parts has six entries here, so the fallback is never used
	const key = Buffer.from(parts[5] ?? "", "base64");
	const valid =
		N !== undefined &&
		r !== undefined &&
		p !== undefined &&
		Number.isInteger(Math.log2(N)) &&
		N > 1 &&
		N <= 2 ** 20 &&
		Number.isInteger(r) &&
		// RFC 7914: N must be below 2^(16 r); scrypt throws otherwise.
		N < 2 ** (16 * r) &&
		// Stryker disable next-line ConditionalExpression: for an integer r, N > 1 and N < 2^(16 r) already imply r >= 1
		r >= 1 &&
		r <= 32 &&
		Number.isInteger(p) &&
		p >= 1 &&
		p <= 16 &&
		salt.length > 0 &&
		key.length >= 16;
	return valid ? { params: { N, r, p }, salt, key } : null;
}
