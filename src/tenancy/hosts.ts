// Host names as the resolver compares them: the Host header normalised (case, port, trailing dot, IDN), and domains.
import { isIPv4, isIPv6 } from "node:net";
import { domainToASCII } from "node:url";

/** What a Host header names, once normalised. */
export type HostName =
	/** No Host header: HTTP/1.0 clients, and requests injected by tests. */
	| { readonly kind: "absent" }
	/** An IPv4 or bracketed IPv6 literal: health checks and scrapers reach an instance by address. */
	| { readonly kind: "address" }
	/** A host name in lower-case ASCII (IDN labels as punycode), without port or trailing dot; `port` is "" when absent. */
	| { readonly kind: "name"; readonly name: string; readonly port: string }
	| { readonly kind: "invalid" };

const absent: HostName = { kind: "absent" };
const address: HostName = { kind: "address" };
const invalid: HostName = { kind: "invalid" };

/** Labels of 1–63 letters, digits and inner dashes; 253 characters in all (RFC 1123). */
const hostNamePattern = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/;
const portPattern = /^[0-9]{1,5}$/;
// A quick test for the common case: nothing to lower-case, fold or punycode.
const plainAscii = /^[a-z0-9.-]*$/;

/** Normalises a Host header: `Iop.Example.COM.:8080` → `{ name: "iop.example.com", port: "8080" }`. */
export function parseHost(header: string | string[] | undefined): HostName {
	if (header === undefined || header === "") return absent;
	// Two Host headers are a malformed request (RFC 9112 §3.2): which one a proxy routed by is unknowable.
	if (typeof header !== "string" || header.length > 270) return invalid;
	let rest = header;
	let port = "";
	if (rest.startsWith("[")) {
		const end = rest.indexOf("]");
		if (end === -1) return invalid;
		const after = rest.slice(end + 1);
		if (after !== "" && !(after.startsWith(":") && validPort(after.slice(1)))) return invalid;
		return isIPv6(rest.slice(1, end)) ? address : invalid;
	}
	const colon = rest.lastIndexOf(":");
	if (colon !== -1) {
		port = rest.slice(colon + 1);
		rest = rest.slice(0, colon);
		if (!validPort(port)) return invalid;
	}
	const name = hostNameOf(rest);
	if (name === null) return invalid;
	return isIPv4(name) ? address : { kind: "name", name, port };
}

/**
 * A domain as a guild registers it (`Café.Example.`, `https://` not included) in the form hosts are compared in, or null
 * when it is not a host name.
 */
export function normaliseDomain(input: string): string | null {
	return hostNameOf(input.trim());
}

function hostNameOf(raw: string): string | null {
	let name = raw.endsWith(".") ? raw.slice(0, -1) : raw;
	if (name === "") return null;
	if (!plainAscii.test(name)) {
		// Upper case goes through the mapping below; any other ASCII outside a host name (`/`, `@`, `_`, space) does not.
		if (/[^A-Za-z0-9.\-\u0080-\uffff]/.test(name)) return null;
		// Node reads header bytes as Latin-1: a client that sent UTF-8 (not punycode) arrives as mojibake, read it back.
		if (/[\u0080-\u00ff]/.test(name) && !/[\u0100-\uffff]/.test(name)) {
			const decoded = Buffer.from(name, "latin1").toString("utf8");
			if (!decoded.includes("\ufffd")) name = decoded;
		}
		// UTS #46 mapping: case folding, full-width dots, IDN labels to punycode; "" when the name cannot be one.
		name = domainToASCII(name);
		if (name.endsWith(".")) name = name.slice(0, -1);
	}
	return name.length <= 253 && hostNamePattern.test(name) ? name : null;
}

function validPort(port: string): boolean {
	return portPattern.test(port) && Number(port) <= 65_535;
}

/**
 * A custom domain a guild may register, normalised, or null: a host name of two labels or more that is not an address,
 * not `localhost`, and not the platform's (the base domain, its subdomains, the platform hosts).
 */
export function customDomain(
	input: string,
	settings: { readonly baseDomain: string; readonly platformHosts: ReadonlySet<string> },
): string | null {
	const domain = normaliseDomain(input);
	if (domain === null || isIPv4(domain) || !domain.includes(".")) return null;
	if (domain === "localhost" || domain.endsWith(".localhost")) return null;
	const { baseDomain, platformHosts } = settings;
	if (domain === baseDomain || domain.endsWith(`.${baseDomain}`) || platformHosts.has(domain)) return null;
	return domain;
}
