// Feature flags: platform admins set global values and per-guild overrides; everyone reads effective values, cached.
import { and, asc, eq } from "drizzle-orm";
import type { Database, Transaction } from "../db/index.js";
import { featureFlags, guildFeatureFlags, guilds } from "../db/schema/index.js";
import { effectiveFlags, type FeatureFlagCache, flagEnabled } from "../tenancy/feature-flag-cache.js";
import { type KnownFlagName, knownFlags } from "../tenancy/feature-flag-catalog.js";
import { announceFeatureFlagChange } from "../tenancy/feature-flag-changes.js";
import { changedFields, platformActor, recordAudit } from "./audit-log.js";

export interface FlagView {
	name: string;
	description: string;
	enabled: boolean;
	/** Gated on by the code (the catalog): it exists, with its default, before anyone sets it. */
	known: boolean;
	/** Set by a platform admin (a row of `feature_flags`); false: the catalog's default. */
	stored: boolean;
	overrides: { guildId: number; enabled: boolean }[];
}

export type FlagSet = { status: "created" | "updated"; flag: FlagView };
export type OverrideSet = { status: "created" | "updated" } | { status: "flag-notfound" | "guild-notfound" };

const catalog: Readonly<Record<string, { description: string; enabled: boolean }>> = knownFlags;

export function createFeatureFlagService(db: Database, cache: FeatureFlagCache) {
	/** Runs `work`, tells every instance once it committed, and empties this instance's cache at once. */
	async function changing<T>(work: (tx: Transaction) => Promise<T>, changed: (result: T) => boolean): Promise<T> {
		const result = await db.transaction(async (tx) => {
			const outcome = await work(tx);
			if (changed(outcome)) await announceFeatureFlagChange(tx);
			return outcome;
		});
		if (changed(result)) cache.clear();
		return result;
	}

	/** The table's row for `name`, locked; for a flag of the catalog nobody set yet, one written with its default. */
	async function lockedFlag(tx: Transaction, name: string) {
		const [row] = await tx.select().from(featureFlags).where(eq(featureFlags.name, name)).for("update");
		if (row !== undefined) return row;
		const known = catalog[name];
		if (known === undefined) return undefined;
		await tx
			.insert(featureFlags)
			.values({ name, ...known })
			.onConflictDoNothing();
		const [inserted] = await tx.select().from(featureFlags).where(eq(featureFlags.name, name)).for("update");
		return inserted;
	}

	/** Every flag, from the database (not the cache: admins see what was just written), with its overrides. */
	async function list(): Promise<FlagView[]> {
		const [rows, overrideRows] = await Promise.all([
			db.select().from(featureFlags),
			db
				.select({
					name: guildFeatureFlags.flagName,
					guildId: guildFeatureFlags.guildId,
					enabled: guildFeatureFlags.enabled,
				})
				.from(guildFeatureFlags)
				.orderBy(asc(guildFeatureFlags.guildId)),
		]);
		const views = new Map<string, FlagView>();
		for (const [name, flag] of Object.entries(catalog))
			views.set(name, { name, ...flag, known: true, stored: false, overrides: [] });
		for (const row of rows)
			views.set(row.name, {
				name: row.name,
				description: row.description,
				enabled: row.enabled,
				known: row.name in catalog,
				stored: true,
				overrides: [],
			});
		for (const row of overrideRows) views.get(row.name)?.overrides.push({ guildId: row.guildId, enabled: row.enabled });
		return [...views.values()].sort((a, b) => a.name.localeCompare(b.name));
	}

	return {
		list,

		/**
		 * Creates the flag (201: its row is written, a flag of the catalog included) or changes its global value and, when
		 * given, its description. Setting what it already has changes nothing and tells no one.
		 */
		async set(
			name: string,
			input: { enabled: boolean; description?: string | undefined },
			adminId: number,
		): Promise<FlagSet> {
			const outcome = await changing(
				async (tx): Promise<"created" | "updated" | "unchanged"> => {
					const [current] = await tx.select().from(featureFlags).where(eq(featureFlags.name, name)).for("update");
					const known = catalog[name];
					const before = current ?? known;
					const next = { description: input.description ?? before?.description ?? "", enabled: input.enabled };
					const was = before === undefined ? null : { description: before.description, enabled: before.enabled };
					// A new row is audited whole (before: the catalog's default, if the code knew the flag); a change, by its fields.
					let audited: { before: Partial<typeof next> | null; after: Partial<typeof next> } = {
						before: was,
						after: next,
					};
					if (current === undefined) {
						await tx.insert(featureFlags).values({ name, ...next });
					} else {
						const changed = changedFields({ description: current.description, enabled: current.enabled }, next);
						if (Object.keys(changed.after).length === 0) return "unchanged";
						audited = changed;
						await tx.update(featureFlags).set(next).where(eq(featureFlags.name, name));
					}
					await recordAudit(tx, {
						actor: platformActor(adminId),
						action: current === undefined ? "feature_flag.created" : "feature_flag.updated",
						guildId: null,
						target: { type: "feature_flag", id: name },
						...audited,
					});
					return current === undefined ? "created" : "updated";
				},
				(result) => result !== "unchanged",
			);
			const flag = (await list()).find((view) => view.name === name);
			if (flag === undefined) throw new Error(`flag ${name} vanished`);
			return { status: outcome === "created" ? "created" : "updated", flag };
		},

		/** Gives one guild its own value of a flag (a flag of the catalog nobody set yet is written with its default). */
		async setOverride(name: string, guildId: number, enabled: boolean, adminId: number): Promise<OverrideSet> {
			return changing(
				async (tx): Promise<OverrideSet | { status: "unchanged" }> => {
					const flag = await lockedFlag(tx, name);
					if (flag === undefined) return { status: "flag-notfound" };
					const [guild] = await tx.select({ id: guilds.id }).from(guilds).where(eq(guilds.id, guildId));
					if (guild === undefined) return { status: "guild-notfound" };
					const where = and(eq(guildFeatureFlags.flagName, name), eq(guildFeatureFlags.guildId, guildId));
					const [current] = await tx
						.select({ enabled: guildFeatureFlags.enabled })
						.from(guildFeatureFlags)
						.where(where);
					if (current?.enabled === enabled) return { status: "unchanged" };
					await tx
						.insert(guildFeatureFlags)
						.values({ flagName: name, guildId, enabled })
						.onConflictDoUpdate({ target: [guildFeatureFlags.flagName, guildFeatureFlags.guildId], set: { enabled } });
					await recordAudit(tx, {
						actor: platformActor(adminId),
						action: "feature_flag.override_set",
						guildId,
						target: { type: "feature_flag", id: name },
						before: current === undefined ? null : { enabled: current.enabled },
						after: { enabled },
					});
					return { status: current === undefined ? "created" : "updated" };
				},
				(outcome) => outcome.status === "created" || outcome.status === "updated",
			).then((outcome) => (outcome.status === "unchanged" ? { status: "updated" } : outcome));
		},

		/** The guild follows the global value again. False: it had no value of its own. */
		async removeOverride(name: string, guildId: number, adminId: number): Promise<boolean> {
			return changing(
				async (tx) => {
					const [removed] = await tx
						.delete(guildFeatureFlags)
						.where(and(eq(guildFeatureFlags.flagName, name), eq(guildFeatureFlags.guildId, guildId)))
						.returning({ enabled: guildFeatureFlags.enabled });
					if (removed === undefined) return false;
					await recordAudit(tx, {
						actor: platformActor(adminId),
						action: "feature_flag.override_removed",
						guildId,
						target: { type: "feature_flag", id: name },
						before: { enabled: removed.enabled },
						after: null,
					});
					return true;
				},
				(removed) => removed,
			);
		},

		/** Every flag's value for the guild (its overrides applied), or the global values (null). */
		async effective(guildId: number | null): Promise<Record<string, boolean>> {
			return effectiveFlags(await cache.snapshot(), guildId);
		},

		/** Whether the flag is on for the guild (or globally, for null); synchronous when the cache holds the flags. */
		isEnabled(name: KnownFlagName, guildId: number | null): boolean | Promise<boolean> {
			const snapshot = cache.snapshot();
			if (snapshot instanceof Promise) return snapshot.then((loaded) => flagEnabled(loaded, name, guildId));
			return flagEnabled(snapshot, name, guildId);
		},
	};
}

export type FeatureFlagService = ReturnType<typeof createFeatureFlagService>;
