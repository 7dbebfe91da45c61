// PostgreSQL LISTEN/NOTIFY on either engine: between processes on PostgreSQL, within the process on PGlite.
import { sql } from "drizzle-orm";
import type { DatabaseHandle, Executor } from "./client.js";

/** Channel names are identifiers: lower case, digits and underscores, so no quoting is ever needed. */
const channelPattern = /^[a-z][a-z0-9_]{0,62}$/;

function checkedChannel(channel: string): string {
	if (!channelPattern.test(channel)) throw new TypeError(`"${channel}" is not a valid notification channel name`);
	return channel;
}

/**
 * Sends `payload` (at most 7,900 bytes: PostgreSQL's limit is 8,000) to every listener of `channel`. Inside a
 * transaction it is delivered when, and only if, the transaction commits.
 */
export async function notify(executor: Executor, channel: string, payload = ""): Promise<void> {
	if (Buffer.byteLength(payload) > 7_900) throw new RangeError(`notification payload over 7,900 bytes on ${channel}`);
	await executor.execute(sql`select pg_notify(${checkedChannel(channel)}, ${payload})`);
}

/**
 * Calls `onMessage` with each payload sent to `channel`, until the returned function is called. On PostgreSQL the
 * listener holds one connection of its own and reconnects (and listens again) by itself after a lost connection;
 * notifications sent while it was away are lost, so `onReconnect` is called once it listens again, for the caller to
 * catch up from wherever it keeps what was sent (never on PGlite, whose listener lives in the process).
 */
export async function listen(
	handle: DatabaseHandle,
	channel: string,
	onMessage: (payload: string) => void,
	options: { onReconnect?: () => void } = {},
): Promise<() => Promise<void>> {
	const name = checkedChannel(channel);
	const { driver } = handle;
	if (driver.engine === "pglite") return driver.client.listen(name, onMessage);
	let listening = false;
	// On DATABASE_LISTEN_URL when set: a pooler in transaction mode would hand the LISTEN's session to others.
	const subscription = await driver.listener.listen(name, onMessage, () => {
		if (listening) options.onReconnect?.();
		listening = true;
	});
	return () => subscription.unlisten();
}
