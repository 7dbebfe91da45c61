// The real-time event log as tests read it: what was published (and committed), in commit order.
import { asc } from "drizzle-orm";
import type { Executor } from "../../src/db/client.js";
import { realtimeEvents } from "../../src/db/schema/index.js";

export interface PublishedEvent {
	id: number;
	type: string;
	audience: string[];
	data: unknown;
	recheck: unknown;
	at: Date;
}

/** Every event in the log, ordered by id (commit order). */
export function publishedEvents(db: Executor): Promise<PublishedEvent[]> {
	return db.select().from(realtimeEvents).orderBy(asc(realtimeEvents.id));
}
