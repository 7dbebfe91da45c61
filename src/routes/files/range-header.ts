// The Range header of a download (RFC 9110 §14): one byte range, resolved against the file's size.

/** What to serve: the whole file, one range of it, or a 416 (the range starts past the end). */
export type RangeDecision =
	| { kind: "whole" }
	| { kind: "range"; start: number; end: number }
	| { kind: "unsatisfiable" };

const single = /^bytes=(\d*)-(\d*)$/;

/**
 * `bytes=a-b`, `bytes=a-` and `bytes=-n` (the last n bytes) are served as one range. Anything else (several ranges,
 * another unit, a malformed or reversed range) is ignored and the whole file served, as RFC 9110 allows: a client
 * asking for several ranges gets them all, in the one answer every client reads.
 */
export function decideRange(header: string | undefined, size: number): RangeDecision {
	if (header === undefined) return { kind: "whole" };
	const match = single.exec(header.trim());
	if (match === null) return { kind: "whole" };
	const [, first = "", last = ""] = match;
	if (first === "" && last === "") return { kind: "whole" };
	if (first === "") {
		const length = Number(last);
		if (!Number.isSafeInteger(length)) return { kind: "whole" };
		if (length === 0 || size === 0) return { kind: "unsatisfiable" };
		return { kind: "range", start: Math.max(0, size - length), end: size - 1 };
	}
	const start = Number(first);
	const end = last === "" ? Number.MAX_SAFE_INTEGER : Number(last);
	if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || end < start) return { kind: "whole" };
	if (start >= size) return { kind: "unsatisfiable" };
	return { kind: "range", start, end: Math.min(end, size - 1) };
}

/** Whether `If-Range` (an ETag; dates are never our validators) still names this version: otherwise, the whole file. */
export function rangeStillApplies(ifRange: string | undefined, etag: string): boolean {
	return ifRange === undefined || ifRange.trim() === etag;
}

/** Whether `If-None-Match` names this version (a list, `*`, weak or strong: all compare weakly, as RFC 9110 says). */
export function notModified(ifNoneMatch: string | undefined, etag: string): boolean {
	if (ifNoneMatch === undefined) return false;
	const bare = (tag: string) => tag.trim().replace(/^W\//, "");
	return ifNoneMatch.split(",").some((tag) => tag.trim() === "*" || bare(tag) === etag);
}
