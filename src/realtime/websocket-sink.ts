// The WebSocket transport's sink: events the hub delivers before the handshake completes (a replay) wait behind the
// welcome, then everything goes out as JSON text frames; a client that leaves too much unread is closed.
import type { WebSocket } from "ws";
import type { EventEnvelope } from "./envelope.js";
import type { ConnectionSink } from "./hub.js";
import { closeCodeOf, type ServerMessage } from "./ws-protocol.js";

export class WebSocketConnectionSink implements ConnectionSink {
	#socket: WebSocket | undefined;
	#pending: ServerMessage[] = [];
	#closeReason: string | undefined;
	#recheckPending = false;

	constructor(private readonly maxBufferedBytes: number) {}

	/** Why it closed; undefined while open. */
	get closeReason(): string | undefined {
		return this.#closeReason;
	}

	/** The socket is open: `first` (the welcome) goes out, then what waited, then everything as it comes. */
	attach(socket: WebSocket, first: ServerMessage): void {
		this.#socket = socket;
		if (this.#closeReason !== undefined) {
			this.#closeSocket(this.#closeReason);
			return;
		}
		for (const message of [first, ...this.#pending.splice(0)]) if (!this.#write(socket, message)) return;
	}

	deliver(envelope: EventEnvelope): boolean {
		return this.send(envelope);
	}

	/** Sends one message; false once the sink is closed (or just got closed for falling behind). */
	send(message: ServerMessage): boolean {
		if (this.#closeReason !== undefined) return false;
		if (this.#socket === undefined) {
			this.#pending.push(message);
			return true;
		}
		return this.#write(this.#socket, message);
	}

	close(reason: string): void {
		if (this.#closeReason !== undefined) return;
		this.#closeReason = reason;
		this.#pending = [];
		if (this.#socket !== undefined) this.#closeSocket(reason);
	}

	#write(socket: WebSocket, message: ServerMessage): boolean {
		if (socket.readyState !== socket.OPEN) return false;
		socket.send(JSON.stringify(message));
		// ws holds whatever the socket has not taken yet. As for SSE (core/event-stream.ts), a burst to a client that reads
		// can pass the cap for a moment: it is checked again after the I/O poll, and only a client still over it goes;
		// four times the cap is too much to hold even for a moment. It reconnects with `?since=` and gets what it missed.
		const buffered = socket.bufferedAmount;
		if (buffered > this.maxBufferedBytes * 4) {
			this.close("slow-consumer");
			return false;
		}
		if (buffered > this.maxBufferedBytes && !this.#recheckPending) {
			this.#recheckPending = true;
			setImmediate(() => {
				this.#recheckPending = false;
				if (socket.bufferedAmount > this.maxBufferedBytes) this.close("slow-consumer");
			});
		}
		return true;
	}

	/**
	 * A close frame, then ws waits for the client's, at most the server's `closeTimeout` before it cuts the socket: a
	 * slow consumer's frame queues behind what it does not read, so it sees it only if it catches up within that time.
	 */
	#closeSocket(reason: string): void {
		const socket = this.#socket as WebSocket;
		if (socket.readyState === socket.OPEN) socket.close(closeCodeOf(reason), reason);
	}
}
