// Reads every record of one DofusDB-compatible list: pagination, per-request timeout, retries with backoff.
//
// The API we design against (a Feathers service, as api.dofusdb.fr is):
//
//   GET {base}/breeds?$limit=50&$skip=0&$sort[id]=1
//   200 { "total": 20, "limit": 50, "skip": 0, "data": [ { "id": 1, "shortName": { "fr": "Féca", "en": "Feca" }, … } ] }
//
//   /breeds    { id, shortName: { fr, en, … } }   classes (DofusDB keeps the class name in `shortName`; `name` is
//                                                  also read if a compatible server puts it there)
//   /servers   { id, name: { fr, en, … } }        game servers
//   /dungeons  { id, name: { fr, en, … }, optimalPlayerLevel }
//
// Records carry many more fields; we read only these and ignore the rest. DofusDB caps `$limit` at 50, so that is
// our page size. Pages are read until `skip` reaches `total` (or a page comes back empty).
import { z } from "zod";

export type FetchFunction = (input: string, init?: RequestInit) => Promise<globalThis.Response>;

export interface ClientOptions {
	baseUrl: string;
	fetch: FetchFunction;
	/** Per request (headers and body), through AbortSignal.timeout. */
	timeoutMs: number;
	/** Extra attempts after a network error, a timeout, a 429 or a 5xx. A 4xx is final at once. */
	retries: number;
	/** First backoff; doubles at each retry. */
	retryDelayMs: number;
	pageSize: number;
	/** Called after each page: records fetched so far, and the total the API announced. */
	onPage?: (fetched: number, total: number) => void;
	onRetry?: (url: string, attempt: number, reason: string) => void;
}

/** A DofusDB request that failed for good (after retries, or at once for a 4xx or a malformed answer). */
export class DofusDbError extends Error {
	constructor(
		message: string,
		readonly url: string,
		readonly status?: number,
	) {
		super(message);
		this.name = "DofusDbError";
	}
}

class RetryableStatus extends Error {}

const pageSchema = z.object({
	total: z.number().int().nonnegative(),
	data: z.array(z.unknown()),
});

function isRetryable(error: unknown): boolean {
	if (error instanceof RetryableStatus) return true;
	// fetch() rejects with a TypeError on network failures (refused, reset, DNS), a DOMException on timeout.
	if (error instanceof TypeError) return true;
	return error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError");
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function getJson(url: string, options: ClientOptions): Promise<unknown> {
	for (let attempt = 0; ; attempt++) {
		try {
			const answer = await options.fetch(url, {
				headers: { accept: "application/json" },
				signal: AbortSignal.timeout(options.timeoutMs),
			});
			if (answer.status >= 500 || answer.status === 429) {
				await answer.body?.cancel();
				throw new RetryableStatus(`answered ${answer.status}`);
			}
			if (!answer.ok) {
				await answer.body?.cancel();
				throw new DofusDbError(`GET ${url} answered ${answer.status}: not retried (client error)`, url, answer.status);
			}
			const text = await answer.text();
			try {
				return JSON.parse(text) as unknown;
			} catch {
				throw new DofusDbError(`GET ${url} answered a body that is not JSON`, url, answer.status);
			}
		} catch (error) {
			if (!isRetryable(error)) throw error;
			const reason = error instanceof Error ? error.message : String(error);
			if (attempt >= options.retries)
				throw new DofusDbError(`GET ${url} failed after ${attempt + 1} attempts: ${reason}`, url);
			options.onRetry?.(url, attempt + 1, reason);
			await sleep(options.retryDelayMs * 2 ** attempt);
		}
	}
}

/** Every record of `path` (e.g. "/breeds"), unvalidated: the caller checks each one. */
export async function fetchAllRecords(path: string, options: ClientOptions): Promise<unknown[]> {
	const records: unknown[] = [];
	const base = options.baseUrl.replace(/\/+$/, "");
	for (;;) {
		const query = new URLSearchParams({
			$limit: String(options.pageSize),
			$skip: String(records.length),
			"$sort[id]": "1",
		});
		const url = `${base}${path}?${query}`;
		const page = pageSchema.safeParse(await getJson(url, options));
		if (!page.success)
			throw new DofusDbError(`GET ${url} answered something that is not a page ({ total, data: [] })`, url, 200);
		records.push(...page.data.data);
		options.onPage?.(records.length, Math.max(page.data.total, records.length));
		if (page.data.data.length === 0 || records.length >= page.data.total) return records;
	}
}
