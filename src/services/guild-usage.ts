// A guild's usage figures: members, their characters, teams, stored bytes, jobs, requests in the last 24 hours.
import { sql } from "drizzle-orm";
import { type Executor, queryRows } from "../db/index.js";
import {
	characters,
	files,
	gameAccounts,
	guildMembers,
	guildRequestCounts,
	jobRecords,
	teams,
} from "../db/schema/index.js";
import type { GuildRequestCounter } from "../tenancy/request-counts.js";
import type { Clock } from "./settings.js";

const hourMs = 3_600_000;

/** Jobs are counted over this many days: about how long finished jobs (and their records) are kept. */
export const jobWindowDays = 30;

export interface GuildUsage {
	members: number;
	/** The characters of the guild's members (all of them, as the guild's host lists them). */
	characters: number;
	teams: number;
	/** Bytes of the stored files that belong to the guild (its emblem and its thumbnail); pending uploads excluded. */
	storedBytes: number;
	/**
	 * Background jobs the guild's current members asked for (invitation mails they sent, imports…) in the last
	 * `jobWindowDays` days. Jobs belong to users, not guilds: a member of two guilds counts in both.
	 */
	jobsLast30Days: number;
	/** Requests served on the guild's host or under /api/guilds/{id}/, in the current hour and the 23 before it. */
	requestsLast24Hours: number;
}

export function createGuildUsageService(db: Executor, counter: Pick<GuildRequestCounter, "flush">, now: Clock) {
	return {
		/** One query; this instance's counts are written first, other instances' within their flush interval. */
		async usage(guildId: number): Promise<GuildUsage> {
			await counter.flush();
			const since = new Date((Math.floor(now().getTime() / hourMs) - 23) * hourMs).toISOString();
			const members = sql`select ${guildMembers.userId} from ${guildMembers} where ${guildMembers.guildId} = ${guildId}`;
			const [row] = await queryRows<Record<keyof GuildUsage, number>>(
				db,
				sql`select
					(select count(*) from ${guildMembers} where ${guildMembers.guildId} = ${guildId})::int as "members",
					(select count(*) from ${characters}
						join ${gameAccounts} on ${gameAccounts.id} = ${characters.accountId}
						where ${gameAccounts.userId} in (${members}))::int as "characters",
					(select count(*) from ${teams} where ${teams.guildId} = ${guildId})::int as "teams",
					(select coalesce(sum(${files.size}), 0) from ${files}
						where ${files.guildId} = ${guildId} and ${files.state} = 'stored')::float8 as "storedBytes",
					(select count(*) from ${jobRecords}
						where ${jobRecords.requestedBy} in (${members})
						and ${jobRecords.createdAt} > now() - make_interval(days => ${jobWindowDays}))::int as "jobsLast30Days",
					(select coalesce(sum(${guildRequestCounts.count}), 0) from ${guildRequestCounts}
						where ${guildRequestCounts.guildId} = ${guildId}
						and ${guildRequestCounts.hour} >= ${since}::timestamptz)::float8 as "requestsLast24Hours"`,
			);
			if (row === undefined) throw new Error("usage query returned no row");
			return row;
		},
	};
}

export type GuildUsageService = ReturnType<typeof createGuildUsageService>;
