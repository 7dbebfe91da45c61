// Request and response shapes of the real-time routes.
import { z } from "zod";
import { roomPattern } from "../../realtime/rooms.js";

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
			.array(z.string().regex(roomPattern, "a room is user:<id>, guild:<id>, team:<id> or reference"))
			.min(1)
			.max(maxRoomsPerConnection),
	)
	.transform((rooms) => [...new Set(rooms)]);

/** An event id to resume after: what `Last-Event-ID` or `since` carries. */
export const eventIdText = z
	.string()
	.regex(/^(0|[1-9][0-9]{0,15})$/, "an event id is a whole number")
	.transform(Number);

export const ticketSchema = z.object({
	ticket: z.string().describe("Single use: pass it as `?ticket=` when opening the WebSocket."),
	expiresAt: z.date(),
});
