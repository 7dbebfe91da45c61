// Host normalisation (case, port, trailing dot, IDN, addresses, malformed headers) and the custom domains a guild may add.
import { describe, expect, it } from "vitest";
import { customDomain, normaliseDomain, parseHost } from "../../src/tenancy/hosts.js";

describe("parseHost", () => {
	it.each([
		["iop.example.com", "iop.example.com", ""],
		["IOP.Example.COM", "iop.example.com", ""],
		["iop.example.com:8080", "iop.example.com", "8080"],
		["iop.example.com.", "iop.example.com", ""],
		["Iop.Example.com.:3000", "iop.example.com", "3000"],
		["localhost", "localhost", ""],
		["xn--guilde-b1a.fr", "xn--guilde-b1a.fr", ""],
	])("reads %s as the name %s (port %j)", (header, name, port) => {
		expect(parseHost(header)).toEqual({ kind: "name", name, port });
	});

	it("turns an IDN name into punycode, as clients that send UTF-8 would otherwise miss the stored form", () => {
		expect(parseHost("guildé.fr")).toEqual({ kind: "name", name: "xn--guild-fsa.fr", port: "" });
		expect(parseHost("GUILDÉ.fr:443")).toEqual({ kind: "name", name: "xn--guild-fsa.fr", port: "443" });
	});

	it("reads UTF-8 bytes that Node decoded as Latin-1 back into the name they spell", () => {
		const asReceived = Buffer.from("guildé.fr", "utf8").toString("latin1");
		expect(parseHost(asReceived)).toEqual({ kind: "name", name: "xn--guild-fsa.fr", port: "" });
	});

	it.each(["127.0.0.1", "127.0.0.1:3000", "10.0.0.7:80", "[::1]", "[::1]:3000", "[2001:db8::1]:443"])(
		"reads %s as an address",
		(header) => {
			expect(parseHost(header)).toEqual({ kind: "address" });
		},
	);

	it("reads a missing or empty header as absent", () => {
		expect(parseHost(undefined)).toEqual({ kind: "absent" });
		expect(parseHost("")).toEqual({ kind: "absent" });
	});

	it.each([
		["an empty label", "iop..example.com"],
		["a label starting with a dash", "-iop.example.com"],
		["a label ending with a dash", "iop-.example.com"],
		["an underscore", "iop_guild.example.com"],
		["a space", "iop example.com"],
		["a slash", "iop.example.com/path"],
		["user info", "user@iop.example.com"],
		["a port that is not a number", "iop.example.com:http"],
		["a port past 65535", "iop.example.com:70000"],
		["an empty port", "iop.example.com:"],
		["a colon-separated IPv6 without brackets", "::1"],
		["an unclosed bracket", "[::1"],
		["a bracketed non-address", "[iop]"],
		["only a dot", "."],
		["a label over 63 characters", `${"a".repeat(64)}.example.com`],
		["a name over 253 characters", `${"abcdefghi.".repeat(26)}com`],
	])("refuses %s", (_label, header) => {
		expect(parseHost(header)).toEqual({ kind: "invalid" });
	});

	it("refuses two Host headers: which one a proxy routed by cannot be known", () => {
		expect(parseHost(["iop.example.com", "other.example.com"])).toEqual({ kind: "invalid" });
	});
});

describe("normaliseDomain", () => {
	it("lower-cases, drops the trailing dot and spaces around, and writes IDN labels in punycode", () => {
		expect(normaliseDomain("  Guilde-Iop.FR. ")).toBe("guilde-iop.fr");
		expect(normaliseDomain("Bücher.example")).toBe("xn--bcher-kva.example");
	});

	it("answers null for what is not a host name", () => {
		expect(normaliseDomain("https://guilde-iop.fr")).toBeNull();
		expect(normaliseDomain("")).toBeNull();
	});
});

describe("customDomain", () => {
	const settings = { baseDomain: "dofus-manager.test", platformHosts: new Set(["api.internal"]) };

	it("accepts a domain of two labels or more, normalised", () => {
		expect(customDomain("Guilde-Iop.fr", settings)).toBe("guilde-iop.fr");
		expect(customDomain("www.guilde-iop.fr", settings)).toBe("www.guilde-iop.fr");
	});

	it.each([
		["a single label", "intranet"],
		["an IPv4 address", "192.168.1.10"],
		["localhost", "localhost"],
		["a *.localhost name", "iop.localhost"],
		["the base domain", "dofus-manager.test"],
		["a subdomain of the base domain (slugs live there)", "iop.dofus-manager.test"],
		["a platform host", "api.internal"],
		["a malformed name", "guilde..fr"],
	])("refuses %s", (_label, input) => {
		expect(customDomain(input, settings)).toBeNull();
	});
});
