// Real-time routes: GET /api/events, the server-sent events stream of the rooms the caller may see (and, with
// `?rooms=`, only those), resumed from `Last-Event-ID` or `?since=`; POST /api/events/ticket, what a browser opens
// the WebSocket with; and GET /api/ws, the WebSocket (websocket.ts).
import type { App } from "../../core/index.js";
import type { Database } from "../../db/index.js";
import type { RealtimeHub } from "../../realtime/hub.js";
import { SseConnectionSink } from "../../realtime/sse-sink.js";
import { createEventTicketService } from "../../services/event-tickets.js";
import type { IdentityServices } from "../../services/identity.js";
import type { SharedGuards } from "../guards.js";
import { eventAnswers } from "./answers.js";
import { eventIdText, roomListQuery } from "./schemas.js";
import { createUpgradeCredentials } from "./upgrade-credentials.js";
import { declareWebSocketRoute } from "./websocket.js";

export interface EventRouteDependencies {
	db: Database;
	guards: Pick<SharedGuards, "authenticatedRoute">;
	services: Pick<IdentityServices, "sessions" | "settings" | "now">;
	/** The started hub of this instance; without one the routes answer 503. */
	realtime: RealtimeHub | undefined;
	/** Heartbeat (SSE comment, WebSocket ping frame) and the cap on what a client may leave unread, for both transports. */
	settings: { heartbeatMs: number; maxBufferedBytes: number };
}

export function declareEventRoutes(
	app: App,
	{ db, guards, services, realtime, settings }: EventRouteDependencies,
): void {
	const { stream, roomNotFound, tooManyConnections, unavailable, ticket } = eventAnswers;
	// In the database, so a ticket issued here opens a socket on any instance.
	const tickets = createEventTicketService(db, services.now);

	guards.authenticatedRoute.declareRoute("POST", "/api/events/ticket").handler(async ({ pickup }, response) => {
		const session = pickup("session");
		return ticket.respond(response, await tickets.issue({ id: session.id, userId: session.userId }));
	}, ticket);

	declareWebSocketRoute(app, {
		realtime,
		identify: createUpgradeCredentials({ sessions: services.sessions, settings: services.settings, tickets }),
		settings,
	});

	guards.authenticatedRoute
		.declareRoute("GET", "/api/events")
		.extract({
			query: { rooms: roomListQuery.optional(), since: eventIdText.optional() },
			headers: { "last-event-id": eventIdText.optional() },
		})
		.handler(
			async ({ pickup }, response) => {
				if (realtime === undefined) return unavailable.send(response);
				const sink = new SseConnectionSink();
				const outcome = await realtime.connect({
					userId: pickup("user").id,
					sessionId: pickup("session").id,
					rooms: pickup("rooms") ?? null,
					// EventSource sends Last-Event-ID by itself when it reconnects; `since` is for a first connection.
					since: pickup("last-event-id") ?? pickup("since") ?? null,
					sink,
				});
				if (outcome.status === "room-hidden") return roomNotFound.send(response);
				if (outcome.status === "user-limit") return tooManyConnections.send(response);
				if (outcome.status !== "connected") {
					response.header("retry-after", "5");
					return unavailable.send(response);
				}
				const { connection } = outcome;
				// Whenever the client goes, before or after the stream opened, the hub forgets the connection.
				response.raw.once("close", () => connection.close("client-closed"));
				return stream.respond(
					response,
					{ heartbeatMs: settings.heartbeatMs, maxBufferedBytes: settings.maxBufferedBytes },
					(events) => {
						sink.attach(events);
						events.onClose((reason) => connection.close(reason));
					},
				);
			},
			stream,
			roomNotFound,
			tooManyConnections,
			unavailable,
		);
}
