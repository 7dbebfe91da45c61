// Zod schemas of the guild management routes: the settings they accept and answer, the usage figures, audit entries.
import { z } from "zod";
import { text } from "../../core/index.js";
import { auditActions } from "../../services/audit-log.js";
import { ianaTimeZone, memberLimitMax, supportedLocale, supportedLocales } from "../../services/guild-settings.js";
import { idParam } from "../params.js";

/** A supported locale in any case (`FR`, `pt`), answered canonical. */
export const localeInput = text()
	.trim()
	.max(35)
	.transform((value, context) => {
		const locale = supportedLocale(value);
		if (locale !== null) return locale;
		context.addIssue({ code: "custom", message: `one of ${supportedLocales.join(", ")}` });
		return z.NEVER;
	});

/** An IANA time zone name (`Europe/Paris`, `UTC`), in any case, answered as the runtime spells it. */
export const timezoneInput = text()
	.trim()
	.max(64)
	.transform((value, context) => {
		const zone = ianaTimeZone(value);
		if (zone !== null) return zone;
		context.addIssue({ code: "custom", message: "an IANA time zone name, such as Europe/Paris or UTC" });
		return z.NEVER;
	});

export const memberLimitInput = z.number().int().min(1).max(memberLimitMax);

/** Null: back to the guild's `member` role. */
export const defaultRoleInput = idParam.nullable();

export const settingsSchema = z.object({
	locale: z.enum(supportedLocales),
	timezone: z.string(),
	visibility: z.enum(["public", "members"]),
	/** The role invitations give when they name none; null: the guild's `member` role. */
	defaultRoleId: z.number().nullable(),
	memberLimit: z.number(),
	/** Null: never changed (the defaults). */
	updatedAt: z.date().nullable(),
});

export const usageSchema = z.object({
	members: z.number(),
	characters: z.number(),
	teams: z.number(),
	storedBytes: z.number(),
	jobsLast30Days: z.number(),
	requestsLast24Hours: z.number(),
});

export const auditEntrySchema = z.object({
	id: z.number(),
	at: z.date(),
	/** `guild`: a member acting with their role's rights; `platform`: a platform admin. */
	scope: z.enum(["guild", "platform"]),
	guildId: z.number().nullable(),
	action: z.enum(auditActions),
	/** Null once their account is deleted; a guild's log does not name the platform admins who acted on it. */
	actor: z.object({ userId: z.number(), displayName: z.string() }).nullable(),
	target: z.object({ type: z.string(), id: z.string() }).nullable(),
	/** The changed fields as they were (null: the target did not exist) and as they became (null: it is gone). */
	before: z.record(z.string(), z.unknown()).nullable(),
	after: z.record(z.string(), z.unknown()).nullable(),
});

/** `action=role.updated&action=role.deleted`, or comma-separated. */
export const auditActionsQuery = z
	.preprocess(
		(value) =>
			(Array.isArray(value) ? value : [value]).flatMap((part) => (typeof part === "string" ? part.split(",") : [part])),
		z.array(z.enum(auditActions)).min(1).max(auditActions.length),
	)
	.optional();

/** The `next` of the previous page: entries older than this id. */
export const auditBeforeQuery = z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER).optional();

export const auditLimitQuery = z.coerce.number().int().min(1).max(100).default(50);

export const auditPageSchema = z.object({
	entries: z.array(auditEntrySchema),
	/** Pass it as `before` for the next (older) page; null on the last page. */
	next: z.number().nullable(),
});
