// Our own signed download URLs (the filesystem storage's): what a valid URL grants, and every way one is refused —
// expired, signature, key, type, disposition or name changed, malformed, signed by another key.
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { developmentSecretKey, Keyring, SecretKey } from "../../src/secrets/keyring.js";
import { type SignedDownload, signedContentPath, UrlSigner, urlSignerFromKeyring } from "../../src/storage/index.js";

const key = (id: string) => new SecretKey(id, randomBytes(32));
const signer = urlSignerFromKeyring(new Keyring(key("current")));
const issuedAt = Date.UTC(2026, 0, 15, 12, 0, 0);
const download: SignedDownload = {
	key: "files/0b9f2c4e-8c3a-4d7e-9a51-3f6f0e2b7c11",
	expiresInSeconds: 300,
	contentType: "image/png",
	disposition: "inline",
	downloadName: "portrait.png",
};

/** The path and the query of a signed URL, as the route serving it sees them. */
function split(url: string): { path: string; query: URLSearchParams } {
	const parsed = new URL(url, "http://localhost");
	return { path: parsed.pathname, query: parsed.searchParams };
}

function verify(url: string, now: number, using: UrlSigner = signer) {
	const { path, query } = split(url);
	return using.verify(path, query, now);
}

/** The URL with one query parameter set to another value. */
function withParameter(url: string, name: string, value: string): string {
	const { path, query } = split(url);
	query.set(name, value);
	return `${path}?${query}`;
}

describe("signed download URLs", () => {
	it("are a path under /api/files/content/ with the key, the expiry and the signature", () => {
		const url = signer.sign(download, issuedAt);
		const { path, query } = split(url);
		expect(path).toBe(`${signedContentPath}${download.key}`);
		expect(query.get("expires")).toBe(String(issuedAt / 1000 + 300));
		expect(query.get("sig")).toMatch(/^[A-Za-z0-9_-]{43}$/);
	});

	it("grant the key, type, disposition and name they were signed with until they expire", () => {
		const url = signer.sign(download, issuedAt);
		expect(verify(url, issuedAt + 299_000)).toEqual({
			key: download.key,
			contentType: "image/png",
			disposition: "inline",
			downloadName: "portrait.png",
			expiresAt: new Date(issuedAt + 300_000),
		});
	});

	it("are expired from their expiry time on", () => {
		const url = signer.sign(download, issuedAt);
		expect(verify(url, issuedAt + 300_000)).toBe("expired");
		expect(verify(url, issuedAt + 86_400_000)).toBe("expired");
	});

	it("keep any download name, whatever its characters", () => {
		const name = 'Pièce "jointe" & co; x=1\r\n.png';
		const url = signer.sign({ ...download, downloadName: name }, issuedAt);
		expect(verify(url, issuedAt)).toMatchObject({ downloadName: name });
	});

	it("may have no download name", () => {
		const { downloadName: _, ...unnamed } = download;
		const url = signer.sign(unnamed, issuedAt);
		expect(split(url).query.has("name")).toBe(false);
		expect(verify(url, issuedAt)).not.toHaveProperty("downloadName");
	});

	it("are invalid with a signature changed by one character", () => {
		const url = signer.sign(download, issuedAt);
		const signature = split(url).query.get("sig") as string;
		const tampered = `${signature[0] === "A" ? "B" : "A"}${signature.slice(1)}`;
		expect(verify(withParameter(url, "sig", tampered), issuedAt)).toBe("invalid");
	});

	it("are invalid for another key", () => {
		const url = signer.sign(download, issuedAt);
		const { query } = split(url);
		expect(signer.verify(`${signedContentPath}files/another-object`, query, issuedAt)).toBe("invalid");
	});

	it.each([
		["a later expiry", "expires", String(issuedAt / 1000 + 3600)],
		["another type", "type", "text/html"],
		["another disposition", "disposition", "attachment"],
		["another name", "name", "portrait.html"],
	])("are invalid with %s", (_, parameter, value) => {
		const url = signer.sign(download, issuedAt);
		expect(verify(withParameter(url, parameter, value), issuedAt)).toBe("invalid");
	});

	it("are invalid when expired and tampered with: the signature is judged first", () => {
		const url = signer.sign(download, issuedAt);
		expect(verify(withParameter(url, "type", "text/html"), issuedAt + 600_000)).toBe("invalid");
	});

	it.each([
		["no signature", (url: string) => url.replace(/&sig=[^&]*/, "")],
		["a short signature", (url: string) => withParameter(url, "sig", "abc")],
		["a signature in standard base64", (url: string) => withParameter(url, "sig", `${"A".repeat(42)}+`)],
		["no expiry", (url: string) => url.replace(/expires=[^&]*&/, "")],
		["an expiry that is not a number", (url: string) => withParameter(url, "expires", "soon")],
		["a repeated parameter", (url: string) => `${url}&expires=1`],
		["a path outside the content route", (url: string) => url.replace(signedContentPath, "/api/files/other/")],
		["a traversal in the key", (url: string) => url.replace("files/", "files/../")],
		["an encoded key", (url: string) => url.replace("files/", "files%2F")],
	])("are invalid with %s", (_, change) => {
		expect(verify(change(signer.sign(download, issuedAt)), issuedAt)).toBe("invalid");
	});

	it("accept the query as a plain object, as a framework's parser gives it", () => {
		const { path, query } = split(signer.sign(download, issuedAt));
		expect(signer.verify(path, Object.fromEntries(query), issuedAt)).toMatchObject({ key: download.key });
		expect(signer.verify(path, { ...Object.fromEntries(query), type: ["image/png", "text/html"] }, issuedAt)).toBe(
			"invalid",
		);
	});

	it("are invalid when signed with another secret", () => {
		const other = urlSignerFromKeyring(new Keyring(key("other")));
		expect(verify(other.sign(download, issuedAt), issuedAt)).toBe("invalid");
	});

	it("signed with a previous SECRETS_KEY stay valid while it is being rotated out", () => {
		const old = key("old");
		const before = urlSignerFromKeyring(new Keyring(old));
		const rotated = urlSignerFromKeyring(new Keyring(key("new"), [old]));
		expect(verify(before.sign(download, issuedAt), issuedAt, rotated)).toMatchObject({ key: download.key });
		expect(verify(rotated.sign(download, issuedAt), issuedAt, before)).toBe("invalid");
	});

	it("use a key derived for this purpose, not the SECRETS_KEY itself", () => {
		const secret = key("k");
		const fromKeyring = urlSignerFromKeyring(new Keyring(secret));
		expect(
			verify(fromKeyring.sign(download, issuedAt), issuedAt, new UrlSigner(secret.deriveKey("other-purpose"))),
		).toBe("invalid");
		expect(
			verify(fromKeyring.sign(download, issuedAt), issuedAt, urlSignerFromKeyring(new Keyring(developmentSecretKey))),
		).toBe("invalid");
	});

	it.each([
		["a lifetime of zero", { expiresInSeconds: 0 }],
		["a lifetime over 7 days", { expiresInSeconds: 7 * 24 * 3600 + 1 }],
		["a type with a line break", { contentType: "image/png\r\nSet-Cookie: a=b" }],
		["a type that is not a media type", { contentType: "png" }],
		["a key outside the format", { key: "../etc/passwd" }],
	])("are not issued for %s", (_, change) => {
		expect(() => signer.sign({ ...download, ...change }, issuedAt)).toThrow();
	});
});
