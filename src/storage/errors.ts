// The errors a storage raises, with stable names routes map to answers (not found → 404, unavailable → 503).

/** What every storage error is; a route may map the family to 500 and the subclasses below to their own answers. */
export class StorageError extends Error {
	constructor(message: string) {
		super(message);
		this.name = new.target.name;
	}
}

/** A key (or listing prefix) outside the key format: a bug in the caller, never something a client chose. */
export class InvalidObjectKeyError extends StorageError {
	constructor(key: unknown, what: "key" | "prefix" = "key") {
		const shown = typeof key === "string" ? JSON.stringify(key.length > 80 ? `${key.slice(0, 80)}…` : key) : typeof key;
		super(`invalid object ${what} ${shown}: expected lower-case segments of a-z 0-9 _ - joined by /`);
	}
}

export class ObjectNotFoundError extends StorageError {
	constructor(readonly key: string) {
		super(`no object at key "${key}"`);
	}
}

/** The bytes stored would not have matched the `size` or `sha256` the caller announced: nothing was stored. */
export class ObjectContentMismatchError extends StorageError {
	constructor(
		readonly expected: { size?: number; sha256?: string },
		readonly actual: { size: number; sha256?: string },
	) {
		super(
			expected.size !== undefined && expected.size !== actual.size
				? `the content is ${actual.size} bytes, ${expected.size} were announced`
				: "the content's SHA-256 is not the one announced",
		);
	}
}

/** A range that starts at or after the end of the object (HTTP 416); `size` is what Content-Range needs. */
export class RangeNotSatisfiableError extends StorageError {
	constructor(
		readonly key: string,
		readonly size: number,
	) {
		super(`the range starts past the end of the ${size}-byte object "${key}"`);
	}
}

/**
 * The storage cannot be used right now: the S3 endpoint refuses connections, times out or answers 5xx, the
 * credentials or bucket are refused, the disk is full or not writable. Routes answer 503. The message names the
 * driver and a reason code (`ECONNREFUSED`, `ENOSPC`, `AccessDenied`), never an endpoint's credentials, and the
 * original error is not kept as `cause` because SDK errors may carry request details.
 */
export class StorageUnavailableError extends StorageError {
	constructor(
		readonly driver: "filesystem" | "s3",
		readonly reason: string,
		readonly operation: string,
	) {
		super(`${driver === "s3" ? "S3 storage" : "file storage"} unavailable during ${operation}: ${reason}`);
	}
}
