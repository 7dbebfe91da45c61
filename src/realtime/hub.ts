// One instance's real-time hub: follows the event log (LISTEN/NOTIFY, with a catch-up read for anything missed),
// keeps the open connections and their rooms, delivers each event once per connection that may see it, replays what a
// reconnecting client missed, and closes connections whose session ended. Transports (SSE, WebSocket) plug in a sink.
// Longer than most files: it is the one state machine of the real-time side, and splitting it would scatter it.
import { sql } from "drizzle-orm";
import type { Logger } from "pino";
import type { DatabaseHandle } from "../db/index.js";
import { listen } from "../db/notifications.js";
import { queryRows } from "../db/raw.js";
import type { EventEnvelope, LoggedEvent } from "./envelope.js";
import { eventsChannel } from "./publish.js";
import { type RoomResolver, roomOfKey, type VisibleRooms } from "./rooms.js";

export interface RealtimeSettings {
	/** How long events are kept for replay, in seconds (REALTIME_REPLAY_SECONDS). */
	replaySeconds: number;
	/** Open connections one user may hold on this instance (REALTIME_MAX_CONNECTIONS_PER_USER). */
	maxConnectionsPerUser: number;
	/** Open connections this instance holds at most (REALTIME_MAX_CONNECTIONS). */
	maxConnections: number;
	/** How often the sessions behind open connections are checked (revoked or expired: closed). Default 500 ms. */
	sessionCheckMs?: number;
	/** How often the log is read for events no notification brought (a dropped LISTEN connection). Default 2 s. */
	catchUpMs?: number;
	/** How often events older than the replay window are pruned. Default 60 s. */
	pruneMs?: number;
	/** Most events one replay sends; a client further behind is told to reset. Default 1,000. */
	maxReplayEvents?: number;
}

/** Where a connection's events go: the transport's writer. `deliver` returns false once the transport is closed. */
export interface ConnectionSink {
	deliver(envelope: EventEnvelope): boolean;
	close(reason: string): void;
}

export interface ConnectRequest {
	userId: number;
	sessionId: number;
	/** The rooms asked for (`?rooms=`); null: every room the user may see, now and as access changes. */
	rooms: readonly string[] | null;
	/** The last event id the client received (Last-Event-ID, `since`): what it missed is replayed first. */
	since: number | null;
	sink: ConnectionSink;
}

export type ConnectOutcome =
	| { status: "connected"; connection: RealtimeConnection }
	| { status: "room-hidden"; room: string }
	| { status: "user-limit" }
	| { status: "full" }
	| { status: "stopped" };

/** Which of `sessionIds` are still live (not revoked, not expired); from services, which know what a session is. */
export type SessionLiveness = (sessionIds: readonly number[]) => Promise<ReadonlySet<number>>;

export interface RealtimeConnection {
	readonly id: number;
	readonly userId: number;
	/** The rooms it receives now. */
	readonly rooms: ReadonlySet<string>;
	/** Adds rooms the user may see; returns those refused (not visible). Only for connections that named their rooms. */
	subscribe(rooms: readonly string[]): Promise<{ added: string[]; hidden: string[] }>;
	unsubscribe(rooms: readonly string[]): string[];
	close(reason: string): void;
}

class Connection implements RealtimeConnection {
	rooms = new Set<string>();
	keys = new Set<string>();
	lastSentId = 0;
	/** While replaying: live events wait here, then go out after the replay (those not already sent). */
	held: LoggedEvent[] | null = null;
	closed = false;

	constructor(
		readonly id: number,
		readonly userId: number,
		readonly sessionId: number,
		/** null: follows every visible room. */
		public requested: Set<string> | null,
		readonly sink: ConnectionSink,
		readonly hub: RealtimeHub,
	) {}

	subscribe(rooms: readonly string[]) {
		return this.hub.subscribe(this, rooms);
	}

	unsubscribe(rooms: readonly string[]) {
		return this.hub.unsubscribe(this, rooms);
	}

	close(reason: string) {
		this.hub.disconnect(this, reason);
	}
}

type Row = {
	id: string | number;
	type: string;
	audience: string[];
	data: unknown;
	recheck: unknown;
	at: Date | string;
};

function loggedEvent(row: Row): LoggedEvent {
	return {
		id: Number(row.id),
		type: row.type,
		audience: row.audience,
		data: row.data,
		recheck: (row.recheck ?? null) as LoggedEvent["recheck"],
		at: row.at instanceof Date ? row.at.toISOString() : new Date(row.at).toISOString(),
	};
}

export class RealtimeHub {
	readonly #byKey = new Map<string, Set<Connection>>();
	readonly #byUser = new Map<number, Set<Connection>>();
	readonly #all = new Set<Connection>();
	#nextConnectionId = 1;
	/** The newest event this instance has dispatched (or found in the log at start). */
	#lastSeenId = 0;
	/** Dispatch runs one event at a time, in id order. */
	#chain: Promise<void> = Promise.resolve();
	#timers: NodeJS.Timeout[] = [];
	#unlisten: (() => Promise<void>) | undefined;
	#state: "new" | "running" | "stopped" = "new";
	#catchingUp: Promise<void> | undefined;

	constructor(
		private readonly handle: DatabaseHandle,
		private readonly resolveRooms: RoomResolver,
		private readonly sessionsAlive: SessionLiveness,
		private readonly settings: RealtimeSettings,
		private readonly logger: Logger,
	) {}

	/** Open connections on this instance. */
	get connectionCount(): number {
		return this.#all.size;
	}

	get lastSeenId(): number {
		return this.#lastSeenId;
	}

	async start(): Promise<void> {
		if (this.#state !== "new") throw new Error("the realtime hub was already started");
		const [newest] = await queryRows<{ id: string | null }>(
			this.handle.db,
			sql`select max(id)::text as id from realtime_events`,
		);
		this.#lastSeenId = Number(newest?.id ?? 0);
		this.#unlisten = await listen(this.handle, eventsChannel, (payload) => this.#receive(payload), {
			// Notifications sent while the connection was away are gone: read them from the log.
			onReconnect: () => void this.#catchUp(),
		});
		this.#state = "running";
		// A run still going when its next tick comes (a slow database) is not doubled: that tick is skipped.
		const every = (ms: number, run: () => Promise<unknown>) => {
			let running = false;
			const timer = setInterval(() => {
				if (running) return;
				running = true;
				run()
					.catch((error) => this.logger.warn({ err: error }, "realtime upkeep failed"))
					.finally(() => {
						running = false;
					});
			}, ms);
			timer.unref();
			this.#timers.push(timer);
		};
		every(this.settings.sessionCheckMs ?? 500, () => this.#checkSessions());
		every(this.settings.catchUpMs ?? 2_000, () => this.#catchUp());
		every(this.settings.pruneMs ?? 60_000, () => this.prune());
	}

	/** Closes every connection (reason `shutdown`) and stops following the log. */
	async stop(): Promise<void> {
		if (this.#state === "stopped") return;
		this.#state = "stopped";
		for (const timer of this.#timers) clearInterval(timer);
		for (const connection of [...this.#all]) this.disconnect(connection, "shutdown");
		await this.#unlisten?.().catch(() => {});
		await this.#chain;
	}

	async connect(request: ConnectRequest): Promise<ConnectOutcome> {
		if (this.#state !== "running") return { status: "stopped" };
		if ((this.#byUser.get(request.userId)?.size ?? 0) >= this.settings.maxConnectionsPerUser)
			return { status: "user-limit" };
		if (this.#all.size >= this.settings.maxConnections) return { status: "full" };
		const visible = await this.resolveRooms(request.userId);
		const requested = request.rooms === null ? null : new Set(request.rooms);
		for (const room of requested ?? []) if (!visible.has(room)) return { status: "room-hidden", room };
		// Checked again after the await: another connection of the user may have opened meanwhile.
		if ((this.#byUser.get(request.userId)?.size ?? 0) >= this.settings.maxConnectionsPerUser)
			return { status: "user-limit" };
		if (this.#all.size >= this.settings.maxConnections) return { status: "full" };
		if (this.#state !== "running") return { status: "stopped" };

		const connection = new Connection(
			this.#nextConnectionId++,
			request.userId,
			request.sessionId,
			requested,
			request.sink,
			this,
		);
		this.#all.add(connection);
		addTo(this.#byUser, request.userId, connection);
		this.#assignRooms(connection, visible);
		this.logger.info(
			{ userId: request.userId, connection: connection.id, rooms: connection.rooms.size, open: this.#all.size },
			"realtime connection opened",
		);
		if (request.since === null) {
			connection.lastSentId = this.#lastSeenId;
		} else {
			connection.held = [];
			await this.#replay(connection, request.since);
		}
		return { status: "connected", connection };
	}

	disconnect(connection: Connection, reason: string): void {
		if (connection.closed) return;
		connection.closed = true;
		this.#all.delete(connection);
		removeFrom(this.#byUser, connection.userId, connection);
		for (const key of connection.keys) removeFrom(this.#byKey, key, connection);
		connection.keys.clear();
		connection.rooms.clear();
		connection.sink.close(reason);
		this.logger.info(
			{ userId: connection.userId, connection: connection.id, reason, open: this.#all.size },
			"realtime connection closed",
		);
	}

	async subscribe(connection: Connection, rooms: readonly string[]): Promise<{ added: string[]; hidden: string[] }> {
		const visible = await this.resolveRooms(connection.userId);
		const hidden = rooms.filter((room) => !visible.has(room));
		const added = rooms.filter((room) => visible.has(room) && !connection.rooms.has(room));
		if (connection.closed) return { added: [], hidden };
		connection.requested = new Set([...(connection.requested ?? connection.rooms), ...added]);
		this.#assignRooms(connection, visible);
		return { added, hidden };
	}

	unsubscribe(connection: Connection, rooms: readonly string[]): string[] {
		const removed = rooms.filter((room) => connection.rooms.has(room));
		const kept = new Set(connection.requested ?? connection.rooms);
		for (const room of rooms) kept.delete(room);
		connection.requested = kept;
		const visible = new Map<string, readonly string[]>();
		for (const key of connection.keys) {
			const room = roomOfKey(key);
			if (kept.has(room)) visible.set(room, [...(visible.get(room) ?? []), key]);
		}
		this.#assignRooms(connection, visible);
		return removed;
	}

	/** Deletes events older than the replay window and moves the horizon past them. */
	async prune(): Promise<void> {
		await this.handle.db.execute(sql`
			with gone as (
				delete from realtime_events where at < now() - make_interval(secs => ${this.settings.replaySeconds}) returning id
			)
			insert into realtime_horizon (singleton, pruned_through)
			select true, max(id) from gone having count(*) > 0
			on conflict (singleton) do update
				set pruned_through = greatest(realtime_horizon.pruned_through, excluded.pruned_through)`);
	}

	/** The rooms a connection follows: what it asked for (or everything) among what its user may see. */
	#assignRooms(connection: Connection, visible: VisibleRooms): void {
		const rooms = new Set<string>();
		const keys = new Set<string>();
		for (const [room, roomKeys] of visible) {
			if (connection.requested !== null && !connection.requested.has(room)) continue;
			rooms.add(room);
			for (const key of roomKeys) keys.add(key);
		}
		for (const key of connection.keys) if (!keys.has(key)) removeFrom(this.#byKey, key, connection);
		for (const key of keys) if (!connection.keys.has(key)) addTo(this.#byKey, key, connection);
		connection.keys = keys;
		connection.rooms = rooms;
	}

	async #replay(connection: Connection, since: number): Promise<void> {
		try {
			const [bounds] = await queryRows<{ pruned: string | null; newest: string | null }>(
				this.handle.db,
				sql`select (select pruned_through::text from realtime_horizon) as pruned,
					(select max(id)::text from realtime_events) as newest`,
			);
			const pruned = Number(bounds?.pruned ?? 0);
			// Everything ever pruned was an event too: a log pruned empty still knows how far ids went.
			const newest = Math.max(Number(bounds?.newest ?? 0), pruned, this.#lastSeenId);
			const limit = this.settings.maxReplayEvents ?? 1_000;
			let reset: string | null = since < pruned ? "expired" : since > newest ? "unknown" : null;
			let missed: LoggedEvent[] = [];
			if (reset === null && since < newest && connection.keys.size > 0) {
				const rows = await queryRows<Row>(
					this.handle.db,
					sql`select id, type, audience, data, recheck, at from realtime_events
						where id > ${since}
						and audience && array(select jsonb_array_elements_text(${JSON.stringify([...connection.keys])}::jsonb))
						order by id limit ${limit + 1}`,
				);
				if (rows.length > limit) reset = "too-far-behind";
				else missed = rows.map(loggedEvent);
			}
			if (connection.closed) return;
			if (reset !== null) {
				connection.sink.deliver({
					id: newest,
					type: "reset",
					room: `user:${connection.userId}`,
					at: new Date().toISOString(),
					data: { reason: reset },
				});
				connection.lastSentId = newest;
			} else {
				connection.lastSentId = since;
				for (const event of missed) this.#deliver(connection, event);
			}
		} finally {
			const held = connection.held ?? [];
			connection.held = null;
			for (const event of held) this.#deliver(connection, event);
		}
	}

	#receive(payload: string): void {
		let parsed: Partial<LoggedEvent>;
		try {
			parsed = JSON.parse(payload) as Partial<LoggedEvent>;
		} catch {
			this.logger.warn("realtime notification is not JSON: ignored");
			return;
		}
		this.#enqueue(async () => {
			if (typeof parsed.id !== "number" || parsed.id <= this.#lastSeenId) return;
			if (parsed.audience !== undefined) return this.#dispatch(parsed as LoggedEvent);
			// Too large for a notification: read it from the log, with any sent before it that this instance missed.
			await this.#readLog();
		});
	}

	#enqueue(step: () => Promise<void>): Promise<void> {
		this.#chain = this.#chain.then(step).catch((error) => this.logger.warn({ err: error }, "realtime dispatch failed"));
		return this.#chain;
	}

	/** Reads and dispatches what the log holds past the last event seen (once at a time). */
	#catchUp(): Promise<void> {
		if (this.#state !== "running") return Promise.resolve();
		this.#catchingUp ??= this.#enqueue(() => this.#readLog()).finally(() => {
			this.#catchingUp = undefined;
		});
		return this.#catchingUp;
	}

	async #readLog(): Promise<void> {
		for (;;) {
			const rows = await queryRows<Row>(
				this.handle.db,
				sql`select id, type, audience, data, recheck, at from realtime_events where id > ${this.#lastSeenId}
					order by id limit 500`,
			);
			for (const row of rows) await this.#dispatch(loggedEvent(row));
			if (rows.length < 500) return;
		}
	}

	async #dispatch(event: LoggedEvent): Promise<void> {
		if (event.id <= this.#lastSeenId) return;
		this.#lastSeenId = event.id;
		if (event.recheck !== null) await this.#recheck(event.recheck);
		const targets = new Set<Connection>();
		for (const key of event.audience) for (const connection of this.#byKey.get(key) ?? []) targets.add(connection);
		for (const connection of targets) {
			if (connection.held !== null) connection.held.push(event);
			else this.#deliver(connection, event);
		}
	}

	#deliver(connection: Connection, event: LoggedEvent): void {
		if (connection.closed || event.id <= connection.lastSentId) return;
		const key = event.audience.find((one) => connection.keys.has(one));
		if (key === undefined) return;
		connection.lastSentId = event.id;
		const delivered = connection.sink.deliver({
			id: event.id,
			type: event.type,
			room: roomOfKey(key),
			at: event.at,
			data: event.data,
		});
		if (!delivered) this.disconnect(connection, "transport-closed");
	}

	/** Access changed (membership, role, team): the connections concerned get their rooms worked out again. */
	async #recheck(recheck: NonNullable<LoggedEvent["recheck"]>): Promise<void> {
		const affected = new Set<Connection>();
		for (const userId of recheck.users ?? []) for (const one of this.#byUser.get(userId) ?? []) affected.add(one);
		for (const room of recheck.rooms ?? []) for (const one of this.#byKey.get(room) ?? []) affected.add(one);
		const users = new Set([...affected].map((connection) => connection.userId));
		await Promise.all(
			[...users].map(async (userId) => {
				const visible = await this.resolveRooms(userId);
				for (const connection of this.#byUser.get(userId) ?? []) {
					const before = connection.rooms.size;
					this.#assignRooms(connection, visible);
					// A connection that named its rooms and can see none of them any more has nothing left to follow.
					if (connection.requested !== null && connection.rooms.size === 0 && before > 0)
						this.disconnect(connection, "access-lost");
				}
			}),
		);
	}

	async #checkSessions(): Promise<void> {
		if (this.#all.size === 0) return;
		// Only the connections asked about: one opened while the query ran has a session the answer does not mention.
		const checked = [...this.#all];
		const alive = await this.sessionsAlive([...new Set(checked.map((connection) => connection.sessionId))]);
		for (const connection of checked)
			if (!connection.closed && !alive.has(connection.sessionId)) this.disconnect(connection, "session-ended");
	}
}

function addTo<K>(index: Map<K, Set<Connection>>, key: K, connection: Connection): void {
	const set = index.get(key);
	if (set === undefined) index.set(key, new Set([connection]));
	else set.add(connection);
}

function removeFrom<K>(index: Map<K, Set<Connection>>, key: K, connection: Connection): void {
	const set = index.get(key);
	if (set === undefined) return;
	set.delete(connection);
	if (set.size === 0) index.delete(key);
}

export function createRealtimeHub(options: {
	handle: DatabaseHandle;
	resolveRooms: RoomResolver;
	sessionsAlive: SessionLiveness;
	settings: RealtimeSettings;
	logger: Logger;
}): RealtimeHub {
	return new RealtimeHub(options.handle, options.resolveRooms, options.sessionsAlive, options.settings, options.logger);
}
