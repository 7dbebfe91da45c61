// What the real-time routes answer, each said once: the routes send these values and declare them, and the WebSocket
// upgrade writes the same ones on its socket.
import { answer, errorBodySchema, eventStream, refusal, refusalWith } from "../../core/index.js";
import { eventEnvelopeSchema } from "../../realtime/envelope.js";
import { ticketSchema, webSocketRouteDescription } from "./schemas.js";

export const eventAnswers = {
	stream: eventStream(200, "events.stream", { events: eventEnvelopeSchema }),
	/** A room the caller may not see answers like a missing one, as the REST routes do for what they hide. */
	roomNotFound: refusal(404, "room.not_found", "No such room, or not one you may follow."),
	tooManyConnections: refusal(
		429,
		"realtime.too_many_connections",
		"You already hold as many real-time connections as one user may: close one first.",
	),
	unavailable: refusal(503, "realtime.unavailable", "Real-time events are unavailable on this instance right now."),
	ticket: answer(201, "events.ticket", ticketSchema),
	/** Its body's schema carries the description of the WebSocket protocol, where the OpenAPI document shows it. */
	upgradeRequired: refusalWith(errorBodySchema.describe(webSocketRouteDescription))(
		426,
		"websocket.upgrade_required",
		"This address speaks WebSocket: send an Upgrade request.",
	),
	/** The upgrade's refusals of a `?ticket=`: unknown and already used look alike once a ticket is consumed. */
	ticketInvalid: refusal(401, "ticket.invalid", "The ticket is unknown or was already used: ask for a new one."),
	ticketExpired: refusal(401, "ticket.expired", "The ticket expired (they last 30 seconds): ask for a new one."),
};
