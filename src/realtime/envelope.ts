// The one shape every event reaches clients in, over SSE and WebSocket alike.
import { z } from "zod";
import { eventTypes } from "./rooms.js";

/** What a client receives: `id` increases in commit order, `room` is the one it receives the event through. */
export interface EventEnvelope {
	id: number;
	type: string;
	room: string;
	at: string;
	data: unknown;
}

export const eventEnvelopeSchema = z
	.object({
		id: z.number().int().nonnegative().describe("Increases in the order the changes were committed; resume after it."),
		type: z.enum([...eventTypes, "reset"]),
		room: z.string().describe("`user:<id>`, `guild:<id>`, `team:<id>` or `reference`."),
		at: z.iso.datetime().describe("When the change was committed."),
		data: z.unknown().describe("The event's payload: the changed resource, or the ids of what was removed."),
	})
	.describe(
		"One event. `reset` (data `{ reason }`) says the events since the id you resumed from are no longer kept: reload what you show.",
	);

/** An event as the log and the fan-out carry it: its audience keys and the access recheck it asks for. */
export interface LoggedEvent {
	id: number;
	type: string;
	audience: readonly string[];
	data: unknown;
	recheck: Recheck | null;
	at: string;
}

/** Whose connections must have their rooms worked out again before the event is delivered (access changed). */
export interface Recheck {
	users?: readonly number[];
	/** Every connection following one of these rooms (a role's rights changed, a guild was deleted). */
	rooms?: readonly string[];
}
