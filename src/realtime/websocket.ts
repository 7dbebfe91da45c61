// The WebSocket transport: completes the handshake of an admitted upgrade, serves the protocol of ws-protocol.ts on the
// socket (subscribe, unsubscribe, ping), keeps sockets alive with ping frames and cuts those that stop answering, and
// closes them all at shutdown. Who may connect, and to what, is decided before it by the route.
//
// Close codes, by the hub's reason (see `closeCodes`): shutdown → 1001, session-ended → 4001, access-lost → 4003,
// slow-consumer → 4008; 1009 for a frame over 16 KiB (ws); a client that misses a pong is cut (1006 on its side).
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import type { Logger } from "pino";
import { type RawData, type ServerOptions, type WebSocket, WebSocketServer } from "ws";
import type { RealtimeConnection } from "./hub.js";
import { WebSocketConnectionSink } from "./websocket-sink.js";
import { type ClientMessage, maxClientFrameBytes, protocolErrors, readClientMessage } from "./ws-protocol.js";

export interface WebSocketSettings {
	/** A ping frame this often; a socket whose pong has not come back by the next one is cut (REALTIME_HEARTBEAT_MS). */
	heartbeatMs: number;
	/** A client that leaves more than this unread is closed (REALTIME_MAX_BUFFERED_BYTES). */
	maxBufferedBytes: number;
}

/** How long a closing socket may take to answer the close frame before it is cut; shutdown waits at most this long. */
const closeHandshakeMs = 1_000;

interface Peer {
	readonly socket: WebSocket;
	readonly connection: RealtimeConnection;
	readonly sink: WebSocketConnectionSink;
	/** Cleared at each ping frame, set by its pong. */
	alive: boolean;
	/** A client's messages are handled one after the other: a subscribe finishes before the unsubscribe sent after it. */
	queue: Promise<void>;
}

export class WebSocketTransport {
	readonly #server: WebSocketServer;
	readonly #peers = new Set<Peer>();
	#heartbeat: NodeJS.Timeout | undefined;
	#closing = false;

	constructor(
		private readonly settings: WebSocketSettings,
		private readonly logger: Logger,
	) {
		// `closeTimeout` is in ws 8.23 but not yet in its types.
		const options: ServerOptions & { closeTimeout: number } = {
			noServer: true,
			clientTracking: false,
			maxPayload: maxClientFrameBytes,
			perMessageDeflate: false,
			closeTimeout: closeHandshakeMs,
		};
		this.#server = new WebSocketServer(options);
	}

	/** Set once `closeAll` ran: upgrades still arriving are refused. */
	get closing(): boolean {
		return this.#closing;
	}

	/** Open sockets. */
	get size(): number {
		return this.#peers.size;
	}

	/** The sink to connect to the hub with: it holds what the hub sends until the socket is open. */
	createSink(): WebSocketConnectionSink {
		return new WebSocketConnectionSink(this.settings.maxBufferedBytes);
	}

	/** Completes the handshake for a connection the hub accepted, and serves it until either side closes. */
	accept(
		request: IncomingMessage,
		socket: Duplex,
		head: Buffer,
		connection: RealtimeConnection,
		sink: WebSocketConnectionSink,
	): void {
		// Whenever the client goes, before or after the handshake (ws refusing a bad one destroys the socket), the hub
		// forgets the connection.
		const leftEarly = () => connection.close("client-closed");
		socket.once("close", leftEarly);
		this.#server.handleUpgrade(request, socket, head, (ws) => {
			socket.off("close", leftEarly);
			const peer: Peer = { socket: ws, connection, sink, alive: true, queue: Promise.resolve() };
			this.#peers.add(peer);
			ws.on("pong", () => {
				peer.alive = true;
			});
			ws.on("message", (data, isBinary) => {
				peer.queue = peer.queue.then(() => this.#receive(peer, data, isBinary));
			});
			ws.on("close", () => {
				this.#peers.delete(peer);
				// The sink's reason when it closed the socket itself (a slow consumer), for the hub's log.
				connection.close(sink.closeReason ?? "client-closed");
			});
			// A frame over maxPayload, invalid UTF-8, a bad opcode: ws closes the socket itself (1009, 1007, 1002).
			ws.on("error", (error) => this.logger.debug({ err: error, connection: connection.id }, "websocket error"));
			sink.attach(ws, { type: "welcome", rooms: [...connection.rooms].sort() });
			if (this.#closing) connection.close("shutdown");
			this.#startHeartbeat();
		});
	}

	/** Shutdown: every socket gets 1001; those that do not answer within `closeHandshakeMs` are cut. */
	closeAll(): void {
		this.#closing = true;
		clearInterval(this.#heartbeat);
		this.#heartbeat = undefined;
		for (const peer of [...this.#peers]) peer.connection.close("shutdown");
	}

	async #receive(peer: Peer, data: RawData, isBinary: boolean): Promise<void> {
		const message = readClientMessage(data, isBinary);
		if ("error" in message) {
			peer.sink.send({ type: "error", error: message.error, message: protocolErrors[message.error] });
			return;
		}
		try {
			peer.sink.send(await this.#answer(peer.connection, message));
		} catch (error) {
			this.logger.warn({ err: error, connection: peer.connection.id }, "websocket message failed");
			peer.sink.send({ type: "error", error: "realtime.unavailable", message: protocolErrors["realtime.unavailable"] });
		}
	}

	async #answer(connection: RealtimeConnection, message: ClientMessage) {
		switch (message.type) {
			case "ping":
				return { type: "pong" } as const;
			case "subscribe": {
				const rooms = [...new Set(message.rooms)];
				const { hidden } = await connection.subscribe(rooms);
				return { type: "subscribed", rooms: rooms.filter((room) => !hidden.includes(room)), hidden } as const;
			}
			case "unsubscribe": {
				const rooms = [...new Set(message.rooms)];
				connection.unsubscribe(rooms);
				return { type: "unsubscribed", rooms } as const;
			}
		}
	}

	/** One timer for every socket, from the first one on. */
	#startHeartbeat(): void {
		if (this.#heartbeat !== undefined || this.#closing) return;
		this.#heartbeat = setInterval(() => {
			for (const peer of this.#peers) {
				if (!peer.alive) {
					peer.socket.terminate();
					continue;
				}
				peer.alive = false;
				peer.socket.ping();
			}
		}, this.settings.heartbeatMs);
		this.#heartbeat.unref();
	}
}
