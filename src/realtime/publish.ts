// Publishing an event: written to the log in the caller's transaction, announced to every instance when it commits.
import { sql } from "drizzle-orm";
import type { Executor } from "../db/index.js";
import { notify } from "../db/notifications.js";
import { realtimeEvents } from "../db/schema/index.js";
import type { LoggedEvent, Recheck } from "./envelope.js";
import type { EventType } from "./rooms.js";

/** The channel the fan-out listens on: a whole event when it fits a notification, `{ "id": n }` otherwise. */
export const eventsChannel = "dofus_manager_events";

/** PostgreSQL refuses notification payloads from 8,000 bytes; larger events are read back from the log by id. */
export const notificationLimitBytes = 7_900;

// Any fixed key: held until the transaction ends, it makes ids increase in commit order (ids are handed out in turn).
const eventOrderLock = 0x0d0f_0e57;

export interface EventToPublish {
	type: EventType;
	/** Rooms and audience keys (see rooms.ts); the event is delivered once per connection that follows any of them. */
	audience: readonly string[];
	data: object;
	recheck?: Recheck;
}

/**
 * Logs `events` and announces them; inside a transaction (the change they report), nothing is seen before it commits
 * and nothing at all if it rolls back. Publish last in a transaction: the ordering lock is held until it ends.
 */
export async function publishEvents(executor: Executor, events: readonly EventToPublish[]): Promise<void> {
	if (events.length === 0) return;
	// On a transaction this is a savepoint: the caller's commit decides.
	await executor.transaction(async (tx) => {
		await tx.execute(sql`select pg_advisory_xact_lock(${eventOrderLock})`);
		const rows = await tx
			.insert(realtimeEvents)
			.values(
				events.map((event) => ({
					type: event.type,
					audience: [...event.audience],
					data: event.data,
					recheck: event.recheck ?? null,
				})),
			)
			.returning({ id: realtimeEvents.id, at: realtimeEvents.at });
		for (const [index, row] of rows.entries()) {
			const event = events[index] as EventToPublish;
			const logged: LoggedEvent = {
				id: row.id,
				type: event.type,
				audience: event.audience,
				data: event.data,
				recheck: event.recheck ?? null,
				at: row.at.toISOString(),
			};
			const whole = JSON.stringify(logged);
			await notify(
				tx,
				eventsChannel,
				Buffer.byteLength(whole) <= notificationLimitBytes ? whole : JSON.stringify({ id: row.id }),
			);
		}
	});
}

/** One event; see `publishEvents`. */
export function publishEvent(executor: Executor, event: EventToPublish): Promise<void> {
	return publishEvents(executor, [event]);
}
