// Guild settings: locale, timezone, visibility, the default role of new members, the member limit; read and changed.
import { and, eq } from "drizzle-orm";
import type { Database, Executor } from "../db/index.js";
import { type GuildVisibility, guildRoles, guildSettings, guilds } from "../db/schema/index.js";
import { changedFields, guildActor, recordAudit } from "./audit-log.js";

/** The locales the interface is translated into: BCP 47 tags, compared once canonicalised (`FR` is `fr`). */
export const supportedLocales = ["en", "fr", "es", "de", "pt"] as const;
export type SupportedLocale = (typeof supportedLocales)[number];

export const memberLimitMax = 1000;

export interface GuildSettings {
	locale: SupportedLocale;
	timezone: string;
	visibility: GuildVisibility;
	/** Null: the guild's `member` role. */
	defaultRoleId: number | null;
	memberLimit: number;
}

/** A guild whose settings were never changed has these (the column defaults say the same). */
export const defaultGuildSettings: Readonly<GuildSettings> = {
	locale: "en",
	timezone: "UTC",
	visibility: "public",
	defaultRoleId: null,
	memberLimit: memberLimitMax,
};

/** The canonical form of a supported locale (`pt` for `PT`), or null. */
export function supportedLocale(value: string): SupportedLocale | null {
	let canonical: string | undefined;
	try {
		canonical = Intl.getCanonicalLocales(value)[0];
	} catch {
		return null;
	}
	return (supportedLocales as readonly string[]).includes(canonical ?? "") ? (canonical as SupportedLocale) : null;
}

let zonesByLowerCase: Map<string, string> | undefined;

/**
 * The IANA name of a time zone as the runtime lists it (`Intl.supportedValuesOf("timeZone")`, plus `UTC`), matched
 * without regard to case; a link the list leaves out (`Asia/Kolkata`) is its listed zone. Null for anything else,
 * offsets (`+02:00`) and abbreviations (`CET`) included.
 */
export function ianaTimeZone(value: string): string | null {
	zonesByLowerCase ??= new Map(
		[...Intl.supportedValuesOf("timeZone"), "UTC"].map((zone) => [zone.toLowerCase(), zone] as const),
	);
	const listed = zonesByLowerCase.get(value.toLowerCase());
	if (listed !== undefined) return listed;
	if (!/^[A-Za-z]+(?:\/[A-Za-z0-9_+-]+)+$/.test(value)) return null;
	try {
		const resolved = new Intl.DateTimeFormat("en-US", { timeZone: value }).resolvedOptions().timeZone;
		return zonesByLowerCase.get(resolved.toLowerCase()) ?? null;
	} catch {
		return null;
	}
}

const settingsColumns = {
	locale: guildSettings.locale,
	timezone: guildSettings.timezone,
	visibility: guildSettings.visibility,
	defaultRoleId: guildSettings.defaultRoleId,
	memberLimit: guildSettings.memberLimit,
	updatedAt: guildSettings.updatedAt,
};

/** The guild's settings (the defaults when it has no row) and when they last changed (null: never). */
export async function readGuildSettings(
	executor: Executor,
	guildId: number,
): Promise<GuildSettings & { updatedAt: Date | null }> {
	const [row] = await executor.select(settingsColumns).from(guildSettings).where(eq(guildSettings.guildId, guildId));
	if (row === undefined) return { ...defaultGuildSettings, updatedAt: null };
	return { ...row, locale: supportedLocale(row.locale) ?? defaultGuildSettings.locale };
}

export type SettingsChanges = Partial<GuildSettings>;

export type SettingsUpdate =
	| { status: "done"; settings: GuildSettings & { updatedAt: Date | null } }
	| { status: "role-notfound" }
	| { status: "owner-role" };

export function createGuildSettingsService(db: Database) {
	return {
		get: (guildId: number) => readGuildSettings(db, guildId),

		/**
		 * Changes the fields given, keeps the others. The default role must be one of the guild's, and not the owner role:
		 * an invitation naming no role would otherwise make owners, whoever sent it.
		 */
		async update(guildId: number, changes: SettingsChanges, actorId: number): Promise<SettingsUpdate> {
			return db.transaction(async (tx): Promise<SettingsUpdate> => {
				// The guild row's lock, since a guild without settings has no row of its own to lock: two changes at once
				// run one after the other, the second reading what the first wrote.
				await tx.select({ id: guilds.id }).from(guilds).where(eq(guilds.id, guildId)).for("update");
				const { updatedAt, ...current } = await readGuildSettings(tx, guildId);
				if (changes.defaultRoleId !== undefined && changes.defaultRoleId !== null) {
					const [role] = await tx
						.select({ kind: guildRoles.kind })
						.from(guildRoles)
						.where(and(eq(guildRoles.guildId, guildId), eq(guildRoles.id, changes.defaultRoleId)));
					if (role === undefined) return { status: "role-notfound" };
					if (role.kind === "owner") return { status: "owner-role" };
				}
				const next: GuildSettings = {
					locale: changes.locale ?? current.locale,
					timezone: changes.timezone ?? current.timezone,
					visibility: changes.visibility ?? current.visibility,
					defaultRoleId: changes.defaultRoleId === undefined ? current.defaultRoleId : changes.defaultRoleId,
					memberLimit: changes.memberLimit ?? current.memberLimit,
				};
				const changed = changedFields(current, next);
				if (Object.keys(changed.after).length === 0) return { status: "done", settings: { ...current, updatedAt } };
				const [row] = await tx
					.insert(guildSettings)
					.values({ guildId, ...next, updatedBy: actorId })
					.onConflictDoUpdate({
						target: guildSettings.guildId,
						set: { ...next, updatedBy: actorId, updatedAt: new Date() },
					})
					.returning(settingsColumns);
				if (row === undefined) throw new Error("settings upsert returned no row");
				await recordAudit(tx, {
					actor: guildActor(actorId),
					action: "settings.updated",
					guildId,
					target: { type: "settings", id: guildId },
					...changed,
				});
				return { status: "done", settings: { ...row, locale: next.locale } };
			});
		},
	};
}

export type GuildSettingsService = ReturnType<typeof createGuildSettingsService>;
