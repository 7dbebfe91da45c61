// Request and response shapes of the real-time routes.
import { z } from "zod";
import { storableTextCheck } from "../../core/index.js";
import { roomPattern } from "../../realtime/rooms.js";
import { describeProtocol } from "../../realtime/ws-protocol.js";

/** Most rooms one connection may name. */
export const maxRoomsPerConnection = 50;

/** `rooms=user:1,guild:2` or `rooms=user:1&rooms=guild:2`; duplicates dropped. */
export const roomListQuery = z
	.preprocess(
		(value) =>
			(Array.isArray(value) ? value : [value])
				.flatMap((part) => (typeof part === "string" ? part.split(",") : [part]))
				.map((part) => (typeof part === "string" ? part.trim() : part))
				.filter((part) => part !== ""),
		z
			.array(
				z
					.string()
					.check(storableTextCheck)
					.regex(roomPattern, "a room is user:<id>, guild:<id>, team:<id> or reference"),
			)
			.min(1)
			.max(maxRoomsPerConnection),
	)
	.transform((rooms) => [...new Set(rooms)]);

/** An event id to resume after: what `Last-Event-ID` or `since` carries. */
export const eventIdText = z
	.string()
	.check(storableTextCheck)
	.regex(/^(0|[1-9][0-9]{0,15})$/, "an event id is a whole number")
	.transform(Number);

export const ticketSchema = z.object({
	ticket: z.string().describe("Single use: pass it as `?ticket=` when opening the WebSocket."),
	expiresAt: z.date(),
});

/** What the WebSocket upgrade reads from its query string (besides `ticket`, read by its authentication). */
export const webSocketQuery = z.object({ rooms: roomListQuery.optional(), since: eventIdText.optional() });

/** GET /api/ws in words: how to open the socket, what refuses it, and the protocol spoken on it. */
export const webSocketRouteDescription = [
	"GET /api/ws with `Upgrade: websocket` opens a WebSocket of the real-time events (a plain GET answers 426).",
	"",
	"Authentication, the first one given: `?ticket=` (from POST /api/events/ticket: single use, 30 s; what a browser " +
		"uses, as it cannot set headers on a WebSocket), `Authorization: Bearer <access token>`, or the `session` cookie when " +
		"the handshake's Origin is ours (or an allowed origin). `?rooms=user:1,guild:2` narrows it to those rooms (as " +
		"GET /api/events); `?since=<event id>` replays what came after that event first (like Last-Event-ID).",
	"",
	"Refused before the upgrade with an HTTP answer (`{ error, message }`, `info` header): 401 (`session.*`, " +
		"`ticket.invalid`, `ticket.expired`), 403 `csrf.rejected` (cookie from a foreign origin), 400 (`TYPE_ERROR.query.rooms`, " +
		"`TYPE_ERROR.query.since`), 404 `room.not_found`, 429 `realtime.too_many_connections`, 503 `realtime.unavailable`.",
	"",
	"Without `?rooms=` the socket follows every room the user may see, and those they gain; the first subscribe or " +
		"unsubscribe fixes the list to what it names from then on.",
	"",
	describeProtocol(),
].join("\n");
