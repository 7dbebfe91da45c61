// The SSE transport's sink: events the hub delivers before the stream is open (a replay) wait, then go out in order.
import type { EventStream } from "../core/index.js";
import type { EventEnvelope } from "./envelope.js";
import type { ConnectionSink } from "./hub.js";

export class SseConnectionSink implements ConnectionSink {
	#stream: EventStream | undefined;
	#pending: EventEnvelope[] = [];
	#closeReason: string | undefined;

	/** The stream is open: what waited is sent, then everything as it comes. */
	attach(stream: EventStream): void {
		this.#stream = stream;
		for (const envelope of this.#pending.splice(0)) if (!this.#send(stream, envelope)) return;
		if (this.#closeReason !== undefined) stream.close(this.#closeReason);
	}

	deliver(envelope: EventEnvelope): boolean {
		if (this.#closeReason !== undefined) return false;
		if (this.#stream === undefined) {
			this.#pending.push(envelope);
			return true;
		}
		return this.#send(this.#stream, envelope);
	}

	close(reason: string): void {
		if (this.#closeReason !== undefined) return;
		this.#closeReason = reason;
		this.#stream?.close(reason);
	}

	/** `id:` carries the envelope's id, so a browser's EventSource resumes from it by itself (Last-Event-ID). */
	#send(stream: EventStream, envelope: EventEnvelope): boolean {
		return stream.send({ id: envelope.id, data: envelope });
	}
}
