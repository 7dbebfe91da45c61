// Guild slugs: the format rule, the reserved names, and the slug derived from a guild's name.

/** Lower-case letters, digits and inner dashes: a DNS label, so that `<slug>.<base domain>` is a host name. */
export const slugPattern = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/;
export const slugMinLength = 3;
export const slugMaxLength = 30;

/** Names the platform keeps for its own hosts (`api.<base>`, `www.<base>`…); RESERVED_SLUGS adds to them. */
export const builtInReservedSlugs = [
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
] as const;

/** Whether `value` has the shape of a slug (format and length); whether it is reserved or taken is asked elsewhere. */
export function isSlugShaped(value: string): boolean {
	return value.length >= slugMinLength && value.length <= slugMaxLength && slugPattern.test(value);
}

// Letters that Unicode decomposition does not split into a base letter and a mark.
const foldedLetters: Readonly<Record<string, string>> = { æ: "ae", œ: "oe", ß: "ss", ø: "o", đ: "d", ł: "l", þ: "th" };

/**
 * The slug a name suggests: accents folded to ASCII, lower case, every other run of characters one dash, cut to the
 * longest slug. A name with too few ASCII letters or digits (`Io`, `日本`) gets `guild` after what it has.
 */
export function slugBase(name: string): string {
	const folded = name
		.normalize("NFKD")
		.replace(/\p{M}/gu, "")
		.toLowerCase()
		.replace(/[æœßøđłþ]/g, (letter) => foldedLetters[letter] ?? "")
		.replace(/[^a-z0-9]+/g, "-");
	const base = trimDashes(folded.slice(0, slugMaxLength));
	if (base.length >= slugMinLength) return base;
	return base === "" ? "guild" : `${base}-guild`;
}

/** The n-th candidate for a base: the base itself, then `base-2`, `base-3`… (the base cut to leave room). */
export function slugCandidate(base: string, n: number): string {
	if (n <= 1) return base;
	const suffix = `-${n}`;
	return `${trimDashes(base.slice(0, slugMaxLength - suffix.length))}${suffix}`;
}

function trimDashes(value: string): string {
	return value.replace(/^-+|-+$/g, "");
}
