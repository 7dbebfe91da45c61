// The slug rules: format and length, and the slug a guild's name suggests (with its -2, -3… candidates).
import { describe, expect, it } from "vitest";
import { builtInReservedSlugs, isSlugShaped, slugBase, slugCandidate } from "../../src/tenancy/slugs.js";

describe("isSlugShaped", () => {
	it.each(["iop", "les-bworks", "a1b", "123", "a".repeat(30)])("accepts %s", (slug) => {
		expect(isSlugShaped(slug)).toBe(true);
	});

	it.each([
		["2 characters", "ab"],
		["31 characters", "a".repeat(31)],
		["upper case", "Iop"],
		["a leading dash", "-iop"],
		["a trailing dash", "iop-"],
		["a dot", "iop.fr"],
		["an underscore", "les_bworks"],
		["an accent", "crâ"],
		["a space", "les bworks"],
	])("refuses %s", (_label, slug) => {
		expect(isSlugShaped(slug)).toBe(false);
	});
});

describe("builtInReservedSlugs", () => {
	it("holds the platform's own host names", () => {
		expect([...builtInReservedSlugs]).toEqual([
			"www",
			"api",
			"app",
			"admin",
			"docs",
			"static",
			"assets",
			"mail",
			"status",
			"auth",
			"login",
		]);
	});
});

describe("slugBase", () => {
	it.each([
		["Les Bworks", "les-bworks"],
		["  L'Élite du Crâ !  ", "l-elite-du-cra"],
		["Œuvre & Cœur", "oeuvre-coeur"],
		["Straße der Iops", "strasse-der-iops"],
		["Les_Enfants--du__Krosmoz", "les-enfants-du-krosmoz"],
		["ÉCAFLIP", "ecaflip"],
	])("derives %j as %s", (name, slug) => {
		expect(slugBase(name)).toBe(slug);
	});

	it("cuts a long name to 30 characters, without a dash at the end", () => {
		const slug = slugBase("La Confrérie des Gardiens du Dofus Pourpre");
		expect(slug).toBe("la-confrerie-des-gardiens-du-d");
		expect(slugBase("Les Gardiens du Temple du Sud Est")).toBe("les-gardiens-du-temple-du-sud");
	});

	it("completes a name with too few letters or digits", () => {
		expect(slugBase("Io")).toBe("io-guild");
		expect(slugBase("日本")).toBe("guild");
		expect(slugBase("!!")).toBe("guild");
	});

	it("always gives a slug-shaped base", () => {
		for (const name of ["Io", "日本", "A", "a-b", "Les Bworks", "x".repeat(64), "- - -", `${"Z".repeat(29)}!x`])
			expect(isSlugShaped(slugBase(name)), name).toBe(true);
	});
});

describe("slugCandidate", () => {
	it("is the base first, then the base with -2, -3…", () => {
		expect([1, 2, 3, 10].map((n) => slugCandidate("iop", n))).toEqual(["iop", "iop-2", "iop-3", "iop-10"]);
	});

	it("cuts the base to leave room for the suffix, and never leaves a dash before it", () => {
		const base = "la-confrerie-des-gardiens-du-d";
		expect(slugCandidate(base, 2)).toBe("la-confrerie-des-gardiens-du-2");
		expect(slugCandidate("abcdefghijklmnopqrstuvwxyz-abc", 12)).toBe("abcdefghijklmnopqrstuvwxyz-12");
		expect(slugCandidate(base, 2).length).toBeLessThanOrEqual(30);
	});
});
