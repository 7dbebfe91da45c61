// Text a database can store: the string rule every extract schema applies, checked by linear scans and documented as a pattern.
import { z } from "zod";

/**
 * The rule as an ECMA-262 pattern, for the OpenAPI document: no NUL, and UTF-16 surrogates only in pairs.
 * It reads the same with or without the `u` flag, so JSON Schema validators and browsers agree with the server.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: NUL is the character this pattern exists to reject.
export const storableTextPattern = /^(?:[^\u0000\uD800-\uDFFF]|[\uD800-\uDBFF][\uDC00-\uDFFF])*$/;

// With the `u` flag a pair is one code point: only an unpaired surrogate is a code point of category Cs.
const loneSurrogate = /\p{Cs}/u;

/** What is wrong with a string a database cannot keep as sent, or undefined when it can. */
export function unstorableTextProblem(value: string): string | undefined {
	// PostgreSQL `text` refuses NUL outright (SQLSTATE 22021).
	if (value.includes("\u0000")) return "Text must not contain the NUL character (U+0000).";
	// An unpaired surrogate has no UTF-8 form: the driver would write U+FFFD in its place and the text would be lost.
	if (loneSurrogate.test(value)) return "Text must not contain an unpaired UTF-16 surrogate (U+D800–U+DFFF).";
	return undefined;
}

/**
 * The check itself, one shared instance: the OpenAPI converter recognises it by identity and writes
 * `storableTextPattern` in the document. Two linear scans rather than the pattern: a megabyte-long body
 * field costs a few milliseconds, not the sixty the backtracking pattern takes.
 */
export const storableTextCheck = z.check<string>((payload) => {
	const problem = unstorableTextProblem(payload.value);
	if (problem === undefined) return;
	payload.issues.push({
		code: "invalid_format",
		format: "storable_text",
		pattern: storableTextPattern.source,
		input: payload.value,
		message: problem,
	});
});

/** A string a database can store as sent: use it (`text().trim().max(64)`) for every string a request carries. */
export function text(): z.ZodString {
	return z.string().check(storableTextCheck);
}

/** True when a zod string schema carries the rule (directly, or through `.trim()`, `.max()` … that keep its checks). */
export function hasStorableTextCheck(schema: z.core.$ZodType): boolean {
	return (schema._zod.def.checks ?? []).includes(storableTextCheck as z.core.$ZodCheck<never>);
}
