// The WebSocket protocol of GET /api/ws, said once: the JSON messages each side sends (zod schemas, with the words the
// route's documentation is made of), how a client's frame is read, and the close codes.
import { z } from "zod";
import { type EventEnvelope, eventEnvelopeSchema } from "./envelope.js";
import { roomPattern } from "./rooms.js";

/** Largest frame a client may send (ws `maxPayload`): a bigger one closes the socket with 1009. */
export const maxClientFrameBytes = 16 * 1024;

/** Most rooms one subscribe or unsubscribe message may name. */
export const maxRoomsPerMessage = 50;

const roomList = z
	.array(z.string().regex(roomPattern, "a room is user:<id>, guild:<id>, team:<id> or reference"))
	.min(1)
	.max(maxRoomsPerMessage);

/** What a client sends, by type. */
export const clientMessages = {
	subscribe: z
		.object({ type: z.literal("subscribe"), rooms: roomList })
		.describe("Receive these rooms too. Answered by `subscribed`."),
	unsubscribe: z
		.object({ type: z.literal("unsubscribe"), rooms: roomList })
		.describe("Stop receiving these rooms. Answered by `unsubscribed`."),
	ping: z
		.object({ type: z.literal("ping") })
		.describe("Answered by `pong` (the server's own liveness uses ping frames)."),
};

export const clientMessageSchema = z.discriminatedUnion("type", [
	clientMessages.subscribe,
	clientMessages.unsubscribe,
	clientMessages.ping,
]);
export type ClientMessage = z.infer<typeof clientMessageSchema>;

/** Why a client's message was not acted on; the socket stays open. */
export const protocolErrors = {
	"message.invalid": "Frames are JSON text: an object with a `type`.",
	"message.unknown_type": "The type is not one of subscribe, unsubscribe, ping.",
	"room.invalid": "A room is user:<id>, guild:<id>, team:<id> or reference.",
	"realtime.unavailable": "The rooms could not be worked out right now: send it again.",
} as const;
export type ProtocolError = keyof typeof protocolErrors;

/** What the server sends besides events, by type. */
export const serverMessages = {
	welcome: z
		.object({ type: z.literal("welcome"), rooms: z.array(z.string()) })
		.describe("The first message: the rooms this socket receives (then, with `?since=`, what was missed)."),
	subscribed: z
		.object({ type: z.literal("subscribed"), rooms: z.array(z.string()), hidden: z.array(z.string()) })
		.describe(
			"`rooms`: those of the subscribe it now receives; `hidden`: those it may not see, whether they exist or not.",
		),
	unsubscribed: z
		.object({ type: z.literal("unsubscribed"), rooms: z.array(z.string()) })
		.describe("The rooms of the unsubscribe, which it no longer receives."),
	pong: z.object({ type: z.literal("pong") }).describe("The answer to `ping`."),
	error: z
		.object({
			type: z.literal("error"),
			error: z.enum(Object.keys(protocolErrors) as [ProtocolError, ...ProtocolError[]]),
			message: z.string(),
		})
		.describe(
			`A message was not acted on; the socket stays open. ${Object.entries(protocolErrors)
				.map(([info, message]) => `\`${info}\`: ${message}`)
				.join(" ")}`,
		),
};

/** Every message the server sends: an event (the envelope SSE sends, `reset` included) or a control message. */
export const serverMessageSchema = z.union([
	eventEnvelopeSchema,
	serverMessages.welcome,
	serverMessages.subscribed,
	serverMessages.unsubscribed,
	serverMessages.pong,
	serverMessages.error,
]);
export type ServerMessage = EventEnvelope | z.input<(typeof serverMessages)[keyof typeof serverMessages]>;

/**
 * Close codes, by the hub's reason for ending a connection: the server is going away (shutdown: reconnect, with
 * `?since=`, to another instance), the session ended (revoked or expired: log in again), no room the socket named is
 * visible any more, the client read too slowly. 1009 (a frame over 16 KiB) comes from ws itself; a client that misses
 * a ping's pong is cut without a close frame (1006 on its side).
 */
export const closeCodes: Readonly<Record<string, number>> = {
	shutdown: 1001,
	"session-ended": 4001,
	"access-lost": 4003,
	"slow-consumer": 4008,
};

/** The code a socket closes with for the hub's `reason`: 1000 (normal) for any other. */
export function closeCodeOf(reason: string): number {
	return closeCodes[reason] ?? 1000;
}

/** Reads one frame: the message, or why it is refused. */
export function readClientMessage(
	data: Buffer | ArrayBuffer | Buffer[],
	isBinary: boolean,
): ClientMessage | { error: ProtocolError } {
	if (isBinary) return { error: "message.invalid" };
	let json: unknown;
	try {
		const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
		json = JSON.parse(bytes.toString("utf8"));
	} catch {
		return { error: "message.invalid" };
	}
	if (typeof json !== "object" || json === null || typeof (json as { type?: unknown }).type !== "string")
		return { error: "message.invalid" };
	if (!Object.hasOwn(clientMessages, (json as { type: string }).type)) return { error: "message.unknown_type" };
	const parsed = clientMessageSchema.safeParse(json);
	if (parsed.success) return parsed.data;
	// A string that is not a room name, inside a list that is otherwise fine.
	const badRoom = parsed.error.issues.every(
		(issue) => issue.path[0] === "rooms" && issue.path.length === 2 && issue.code === "invalid_format",
	);
	return { error: badRoom ? "room.invalid" : "message.invalid" };
}

/** The protocol in words, for the route's documentation: each message from its schema's description. */
export function describeProtocol(): string {
	const line = (type: string, schema: z.ZodType) => `- \`${type}\`: ${schema.description ?? ""}`;
	return [
		"Every frame is a JSON text frame.",
		"",
		"Client → server:",
		...Object.entries(clientMessages).map(([type, schema]) => line(type, schema)),
		"",
		"Server → client: every event, in the envelope GET /api/events sends (`{ id, type, room, at, data }`, `reset` included), and:",
		...Object.entries(serverMessages).map(([type, schema]) => line(type, schema)),
		"",
		`A frame over ${maxClientFrameBytes / 1024} KiB closes the socket (1009). Close codes: ${Object.entries(closeCodes)
			.map(([reason, code]) => `${code} ${reason}`)
			.join(", ")}; a client that misses a ping frame's pong by the next ping is cut.`,
	].join("\n");
}
