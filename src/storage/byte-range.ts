// Byte ranges of a get: checked the same way by every storage, `end` clamped like HTTP's Range header.
import { RangeNotSatisfiableError } from "./errors.js";
import type { ByteRange } from "./storage.js";

/** Throws a RangeError for a range no request could mean (negative, reversed, not an integer): a caller's bug. */
export function checkByteRange(range: ByteRange): void {
	const { start, end } = range;
	if (!Number.isSafeInteger(start) || start < 0 || (end !== undefined && (!Number.isSafeInteger(end) || end < start)))
		throw new RangeError(`invalid byte range ${JSON.stringify(range)}`);
}

/** The bytes to serve of an object of `size` bytes; a start at or past the end is HTTP's 416. */
export function resolveByteRange(key: string, range: ByteRange, size: number): { start: number; end: number } {
	checkByteRange(range);
	if (range.start >= size) throw new RangeNotSatisfiableError(key, size);
	return { start: range.start, end: Math.min(range.end ?? size - 1, size - 1) };
}
