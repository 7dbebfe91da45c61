// Claiming guild slugs: availability (current slugs, previous ones still redirecting, reserved names), derivation, retiring.
import { and, eq, gt, inArray, lte, ne, sql } from "drizzle-orm";
import type { Transaction } from "../db/index.js";
import { guildSlugHistory, guilds } from "../db/schema/index.js";
import type { TenantChange } from "../tenancy/changes.js";
import { builtInReservedSlugs, slugBase, slugCandidate } from "../tenancy/slugs.js";
import { type Clock, systemClock } from "./settings.js";

/** How the guild services give out addresses; built from the tenancy settings (see app.ts). */
export interface GuildAddressing {
	readonly reservedSlugs: ReadonlySet<string>;
	/** 0: a previous slug is free at once, and does not redirect. */
	readonly slugRedirectMs: number;
	readonly now: Clock;
	/**
	 * Called once a change of addresses committed: this instance's tenant cache forgets at once, before the answer leaves
	 * (other instances hear the NOTIFY sent in the transaction).
	 */
	readonly changed: (change: TenantChange) => void;
}

export const defaultGuildAddressing: GuildAddressing = {
	reservedSlugs: new Set(builtInReservedSlugs),
	slugRedirectMs: 30 * 24 * 3_600_000,
	now: systemClock,
	changed: () => {},
};

/** A slug given by a client that cannot be had: another guild's (current, or previous and still redirecting), or reserved. */
export class SlugUnavailableError extends Error {
	override readonly name = "SlugUnavailableError";
	constructor(
		readonly slug: string,
		readonly reason: "taken" | "reserved",
	) {
		super(`slug "${slug}" is ${reason}`);
	}
}

// One lock for every change of slugs: claims are rare, and one at a time no check can race another's write.
const slugLockKey = 0x67_75_69_6c; // "guil"

/** Serialises slug claims until the transaction ends. */
async function lockSlugs(tx: Transaction): Promise<void> {
	await tx.execute(sql`select pg_advisory_xact_lock(${slugLockKey})`);
}

/** Of `slugs`, those another guild holds (as its current slug, or a previous one that still redirects). */
async function heldSlugs(tx: Transaction, slugs: readonly string[], now: Date, guildId?: number): Promise<Set<string>> {
	const current = tx
		.select({ slug: guilds.slug })
		.from(guilds)
		.where(
			guildId === undefined
				? inArray(guilds.slug, [...slugs])
				: and(inArray(guilds.slug, [...slugs]), ne(guilds.id, guildId)),
		);
	const previous = tx
		.select({ slug: guildSlugHistory.slug })
		.from(guildSlugHistory)
		.where(
			and(
				inArray(guildSlugHistory.slug, [...slugs]),
				gt(guildSlugHistory.expiresAt, now),
				guildId === undefined ? undefined : ne(guildSlugHistory.guildId, guildId),
			),
		);
	const rows = await current.unionAll(previous);
	return new Set(rows.map((row) => row.slug));
}

/**
 * Takes the locks and checks, for a new guild (no `guildId`) or one changing its slug: `slug` when given (or throws
 * SlugUnavailableError), otherwise the first free one of the name's base, `base-2`, `base-3`… Reserved names count as
 * taken. Previous slugs whose window has ended are forgotten on the way.
 */
export async function claimSlug(
	tx: Transaction,
	addressing: GuildAddressing,
	wanted: { slug: string } | { name: string },
	guildId?: number,
): Promise<string> {
	await lockSlugs(tx);
	const now = addressing.now();
	await tx.delete(guildSlugHistory).where(lte(guildSlugHistory.expiresAt, now));
	if ("slug" in wanted) {
		const { slug } = wanted;
		if (addressing.reservedSlugs.has(slug)) throw new SlugUnavailableError(slug, "reserved");
		if ((await heldSlugs(tx, [slug], now, guildId)).size > 0) throw new SlugUnavailableError(slug, "taken");
		return slug;
	}
	const base = slugBase(wanted.name);
	// Batches of candidates: one query answers which of 20 are held, so even a crowded base costs few queries.
	for (let first = 1; ; first += 20) {
		const candidates = Array.from({ length: 20 }, (_, index) => slugCandidate(base, first + index)).filter(
			(candidate) => !addressing.reservedSlugs.has(candidate),
		);
		const held = await heldSlugs(tx, candidates, now, guildId);
		const free = candidates.find((candidate) => !held.has(candidate));
		if (free !== undefined) return free;
	}
}

/**
 * After a guild moved from `previous` to `next`: `previous` redirects for the window (unless the window is 0), and
 * `next`, if it was one of the guild's own previous slugs, is current again.
 */
export async function retireSlug(
	tx: Transaction,
	addressing: GuildAddressing,
	guildId: number,
	previous: string,
	next: string,
): Promise<void> {
	await tx.delete(guildSlugHistory).where(and(eq(guildSlugHistory.slug, next), eq(guildSlugHistory.guildId, guildId)));
	if (addressing.slugRedirectMs === 0) return;
	const now = addressing.now();
	await tx.insert(guildSlugHistory).values({
		slug: previous,
		guildId,
		retiredAt: now,
		expiresAt: new Date(now.getTime() + addressing.slugRedirectMs),
	});
}
