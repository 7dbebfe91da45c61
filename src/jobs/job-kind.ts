// A kind of background job: its queue name, the payload it accepts (zod, checked on enqueue and on run) and how
// pg-boss treats it (priority, retries, timeout, singleton). The code that runs it lives in src/workers.
import type { z } from "zod";

export interface JobKindOptions<Name extends string, Schema extends z.ZodType> {
	/** The pg-boss queue name, also the `name` the API shows: lower case, dot-separated (`mail.deliver`). */
	name: Name;
	payload: Schema;
	/** Higher runs first among due jobs of the same kind. Default 0. */
	priority?: number;
	/** Runs after the first failed one before the job is `failed`. Default 3. */
	retryLimit?: number;
	/** Seconds before the first retry; doubled at each further one (with jitter) when `retryBackoff`. Default 5. */
	retryDelaySeconds?: number;
	/** Default true. */
	retryBackoff?: boolean;
	/** Longest a retry waits, in seconds, however many failures came before. Default 600. */
	retryDelayMaxSeconds?: number;
	/** A run longer than this is aborted, counted as failed and retried. Default 300. */
	timeoutSeconds?: number;
	/**
	 * At most one job of this kind waiting and one running at a time (pg-boss's `stately` policy): a second enqueue while
	 * one waits returns null. Default false.
	 */
	singleton?: boolean;
	/** Completed and failed jobs are kept this long for the status API, in seconds. Default 7 days. */
	keepSeconds?: number;
}

export interface JobKind<Name extends string = string, Schema extends z.ZodType = z.ZodType> {
	readonly name: Name;
	readonly payload: Schema;
	readonly priority: number;
	readonly retryLimit: number;
	readonly retryDelaySeconds: number;
	readonly retryBackoff: boolean;
	readonly retryDelayMaxSeconds: number;
	readonly timeoutSeconds: number;
	readonly singleton: boolean;
	readonly keepSeconds: number;
}

/** What `enqueue` accepts for a kind: the schema's input. */
export type PayloadInput<K extends JobKind> = z.input<K["payload"]>;
/** What a worker receives: the schema's output. */
export type Payload<K extends JobKind> = z.output<K["payload"]>;

const namePattern = /^[a-z][a-z0-9-]*(\.[a-z][a-z0-9-]*)*$/;

export function defineJobKind<const Name extends string, Schema extends z.ZodType>(
	options: JobKindOptions<Name, Schema>,
): JobKind<Name, Schema> {
	if (!namePattern.test(options.name)) {
		throw new TypeError(`job kind name "${options.name}" must be lower case words separated by dots`);
	}
	const kind: JobKind<Name, Schema> = {
		name: options.name,
		payload: options.payload,
		priority: options.priority ?? 0,
		retryLimit: options.retryLimit ?? 3,
		retryDelaySeconds: options.retryDelaySeconds ?? 5,
		retryBackoff: options.retryBackoff ?? true,
		retryDelayMaxSeconds: options.retryDelayMaxSeconds ?? 600,
		timeoutSeconds: options.timeoutSeconds ?? 300,
		singleton: options.singleton ?? false,
		keepSeconds: options.keepSeconds ?? 7 * 24 * 3600,
	};
	if (!Number.isInteger(kind.priority)) throw new TypeError(`job kind "${options.name}": priority must be an integer`);
	for (const [field, value] of Object.entries(kind)) {
		if (field !== "priority" && typeof value === "number" && (!Number.isInteger(value) || value < 0)) {
			throw new TypeError(`job kind "${options.name}": ${field} must be a whole number ≥ 0, got ${value}`);
		}
	}
	if (kind.timeoutSeconds < 1) throw new TypeError(`job kind "${options.name}": timeoutSeconds must be ≥ 1`);
	return Object.freeze(kind);
}
