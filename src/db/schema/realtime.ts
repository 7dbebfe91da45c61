// Real-time events: the log every instance fans out from and replays to reconnecting clients.
import { sql } from "drizzle-orm";
import { bigint, boolean, check, index, jsonb, pgTable, text } from "drizzle-orm/pg-core";
import { timestamptz } from "./columns.js";

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
