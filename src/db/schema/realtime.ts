// Real-time events: the log every instance fans out from and replays to reconnecting clients, and the tickets that
// open a WebSocket.
import { sql } from "drizzle-orm";
import { bigint, boolean, check, index, integer, jsonb, pgTable, text, uniqueIndex } from "drizzle-orm/pg-core";
import { createdAt, id, timestamptz } from "./columns.js";
import { sessions } from "./identity.js";
import { users } from "./users.js";

/**
 * One row per event, written in the transaction of the change it reports (so a rolled-back change has none). Ids are
 * handed out under a transaction-scoped advisory lock, so they increase in commit order. Kept for
 * REALTIME_REPLAY_SECONDS, then pruned (see `realtime_horizon`).
 */
export const realtimeEvents = pgTable(
	"realtime_events",
	{
		id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
		type: text("type").notNull(),
		/** Who receives it: rooms (`user:1`, `guild:2`, `team:3`, `reference`), or `guild:2#character.view` for a guild's members holding that right. */
		audience: text("audience").array().notNull(),
		data: jsonb("data").notNull(),
		/** Never sent: whose connections must have their rooms worked out again before this event is delivered. */
		recheck: jsonb("recheck"),
		at: timestamptz("at").notNull().defaultNow(),
	},
	(t) => [index("realtime_events_at_idx").on(t.at)],
);

/** One row: the highest event id pruned so far; a client resuming from below it missed events and is told to reset. */
export const realtimeHorizon = pgTable(
	"realtime_horizon",
	{
		singleton: boolean("singleton").primaryKey().default(true),
		prunedThrough: bigint("pruned_through", { mode: "number" }).notNull().default(0),
	},
	(t) => [check("realtime_horizon_singleton", sql`${t.singleton}`)],
);

/**
 * Single-use tickets for opening a WebSocket (`?ticket=`), where a browser can set no Authorization header. In the
 * database, hashed like every token, so a ticket issued by one instance opens a socket on another; bound to the session
 * that asked, and gone with it.
 */
export const realtimeTickets = pgTable(
	"realtime_tickets",
	{
		id: id(),
		tokenHash: text("token_hash").notNull(),
		userId: integer("user_id")
			.notNull()
			.references(() => users.id, { onDelete: "cascade" }),
		sessionId: integer("session_id")
			.notNull()
			.references(() => sessions.id, { onDelete: "cascade" }),
		expiresAt: timestamptz("expires_at").notNull(),
		createdAt: createdAt(),
	},
	(t) => [
		uniqueIndex("realtime_tickets_token_hash_unique").on(t.tokenHash),
		index("realtime_tickets_session_idx").on(t.sessionId),
		index("realtime_tickets_expires_at_idx").on(t.expiresAt),
	],
);
