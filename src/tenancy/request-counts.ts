// Requests served for each guild: counted in memory by an app-wide hook, added to guild_request_counts in batches.
import { sql } from "drizzle-orm";
import type { Logger } from "pino";
import type { App, Request, Response } from "../core/index.js";
import type { Executor } from "../db/index.js";
import { guildRequestCounts, guilds } from "../db/schema/index.js";
import { requestTenant } from "./request-tenant.js";

const hourMs = 3_600_000;
/** Hours older than this are deleted (by whichever instance flushes first each hour): usage reads the last 24. */
const retentionMs = 7 * 24 * hourMs;
/** Guild × hour pairs held while the database is unreachable; past it, new pairs wait for the next flush to succeed. */
const maxPendingPairs = 10_000;

export interface GuildRequestCounter {
	/** One more request served for the guild, in the clock's current hour. */
	count(guildId: number): void;
	/** Adds what was counted to the table: at once, and after any flush already under way. */
	flush(): Promise<void>;
	/** Stops the periodic flush after a last one. */
	stop(): Promise<void>;
}

export interface GuildRequestCounterOptions {
	db: Executor;
	now: () => Date;
	/** How often the counts are added to the table, in milliseconds. */
	flushMs: number;
	logger?: Pick<Logger, "warn">;
}

/**
 * One statement per flush whatever the traffic: `insert … on conflict do update set count = count + excluded.count`
 * adds this instance's counts to the other instances'. Counts for a guild deleted meanwhile are dropped by the join.
 * Counts a failed flush could not write are kept for the next one.
 */
export function createGuildRequestCounter({
	db,
	now,
	flushMs,
	logger,
}: GuildRequestCounterOptions): GuildRequestCounter {
	/** `<guildId>:<hour start in ms>` → requests. */
	let pending = new Map<string, number>();
	let queue: Promise<void> = Promise.resolve();
	let lastPruned = 0;

	function add(key: string, requests: number): void {
		const current = pending.get(key);
		if (current !== undefined) pending.set(key, current + requests);
		else if (pending.size < maxPendingPairs) pending.set(key, requests);
	}

	/** Never rejects: a failure is logged, and the counts it could not write are kept for the next flush. */
	async function write(): Promise<void> {
		if (pending.size === 0) return;
		const batch = pending;
		pending = new Map();
		const rows = [...batch].map(([key, requests]) => {
			const [guildId, hour] = key.split(":").map(Number) as [number, number];
			return sql`(${guildId}::int, ${new Date(hour).toISOString()}::timestamptz, ${requests}::bigint)`;
		});
		try {
			await db.execute(sql`
				insert into ${guildRequestCounts} (guild_id, hour, count)
				select v.guild_id, v.hour, v.count from (values ${sql.join(rows, sql`, `)}) as v(guild_id, hour, count)
				join ${guilds} g on g.id = v.guild_id
				on conflict (guild_id, hour) do update set count = ${guildRequestCounts.count} + excluded.count`);
		} catch (error) {
			for (const [key, requests] of batch) add(key, requests);
			logger?.warn({ err: error, pairs: batch.size }, "guild request counts not written: kept for the next flush");
			return;
		}
		// Only instances that serve guilds prune, once an hour: an idle one never touches the table.
		const at = now().getTime();
		if (at - lastPruned < hourMs) return;
		lastPruned = at;
		try {
			await db
				.delete(guildRequestCounts)
				.where(sql`${guildRequestCounts.hour} < ${new Date(at - retentionMs).toISOString()}::timestamptz`);
		} catch (error) {
			logger?.warn({ err: error }, "old guild request counts not pruned");
		}
	}

	const flush = (): Promise<void> => {
		queue = queue.then(write);
		return queue;
	};
	const timer = setInterval(() => void flush(), flushMs);
	// Counting never keeps a process alive: stop() writes the last counts.
	timer.unref();

	return {
		count(guildId) {
			add(`${guildId}:${Math.floor(now().getTime() / hourMs) * hourMs}`, 1);
		},
		flush,
		async stop() {
			clearInterval(timer);
			await flush();
		},
	};
}

/** `/api/guilds/{guildId}` and the routes under it (two string comparisons: this runs after every answer). */
const guildPath = "/api/guilds/{guildId}";
const underGuildPath = `${guildPath}/`;

function isGuildPath(matchedPath: string): boolean {
	return matchedPath === guildPath || matchedPath.startsWith(underGuildPath);
}

/**
 * The guild a request counts for: the one of its host, or the one its path names (`/api/guilds/{guildId}/…`). A
 * request the guild's path refused before anything else (no session, not a member) is not the guild's traffic: anyone
 * could otherwise swell another guild's figures.
 */
export function countedGuild(request: Request, response: Response): number | undefined {
	const tenant = requestTenant(request);
	if (tenant !== undefined) return tenant.guild.id;
	if (!isGuildPath(request.matchedPath)) return undefined;
	if (response.statusCode === 401 || response.information === "guild.notfound") return undefined;
	const guildId = Number(request.params.guildId);
	return Number.isSafeInteger(guildId) && guildId > 0 && guildId <= 2 ** 31 - 1 ? guildId : undefined;
}

/** Counts every answered request for its guild (see `countedGuild`); the counter's last flush runs when the app closes. */
export function countGuildRequests(app: App, counter: GuildRequestCounter): void {
	app.addHook("afterSend", (request, response) => {
		const guildId = countedGuild(request, response);
		if (guildId !== undefined) counter.count(guildId);
	});
	app.addHook("onClose", () => counter.stop());
}
