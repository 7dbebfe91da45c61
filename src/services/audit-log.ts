// The audit log: an action recorded in the transaction that makes it, and a guild's or the platform's log read back.
import { and, desc, eq, inArray, lt, type SQL } from "drizzle-orm";
import type { Database, Executor } from "../db/index.js";
import { type AuditScope, auditLog, users } from "../db/schema/index.js";

/** Every action the log records: guild admins' (`guild` scope) and platform admins' (`platform` scope). */
export const auditActions = [
	"guild.created",
	"guild.updated",
	"guild.deleted",
	"role.created",
	"role.updated",
	"role.deleted",
	"member.removed",
	"member.left",
	"member.role_changed",
	"invitation.created",
	"settings.updated",
	"domain.added",
	"domain.removed",
	"domain.activated",
	"domain.deactivated",
	"feature_flag.created",
	"feature_flag.updated",
	"feature_flag.override_set",
	"feature_flag.override_removed",
] as const;

export type AuditAction = (typeof auditActions)[number];

export type AuditTargetType = "guild" | "role" | "member" | "invitation" | "settings" | "domain" | "feature_flag";

/** Who acted, and as what: a guild member with their role's rights, or a platform admin. */
export interface AuditActor {
	readonly userId: number;
	readonly scope: AuditScope;
}

export const guildActor = (userId: number): AuditActor => ({ userId, scope: "guild" });
export const platformActor = (userId: number): AuditActor => ({ userId, scope: "platform" });

type Fields = { readonly [key: string]: unknown };

export interface AuditRecord {
	readonly actor: AuditActor;
	readonly action: AuditAction;
	/** The guild acted on; null for a platform-wide change (a flag's global value). */
	readonly guildId: number | null;
	readonly target?: { readonly type: AuditTargetType; readonly id: string | number };
	readonly before?: Fields | null;
	readonly after?: Fields | null;
}

// Whatever a caller passes, a value under such a key never reaches the log: the log is read by more people than the
// secrets' owners (the guild's owners, every platform admin) and kept longer.
const secretKeyPattern = /token|password|secret|hash|otp|credential|cookie/i;

/** A copy of `value` without the fields whose names say they hold a secret, at any depth. */
export function withoutSecrets(value: unknown): unknown {
	if (Array.isArray(value)) return value.map(withoutSecrets);
	if (value === null || typeof value !== "object" || value instanceof Date) return value;
	const kept: Record<string, unknown> = {};
	for (const [key, field] of Object.entries(value)) {
		if (!secretKeyPattern.test(key)) kept[key] = withoutSecrets(field);
	}
	return kept;
}

/** The fields of `after` whose value differs from `before`'s, each side with its own value: what a change changed. */
export function changedFields<T extends object>(before: T, after: T): { before: Partial<T>; after: Partial<T> } {
	const was: Partial<T> = {};
	const is: Partial<T> = {};
	for (const key of Object.keys(after) as (keyof T)[]) {
		if (JSON.stringify(before[key]) === JSON.stringify(after[key])) continue;
		was[key] = before[key];
		is[key] = after[key];
	}
	return { before: was, after: is };
}

/** Adds one row; call it with the transaction of the action, before its events are published (their last statement). */
export async function recordAudit(executor: Executor, record: AuditRecord): Promise<void> {
	await executor.insert(auditLog).values({
		actorId: record.actor.userId,
		scope: record.actor.scope,
		guildId: record.guildId,
		action: record.action,
		targetType: record.target?.type ?? null,
		targetId: record.target === undefined ? null : String(record.target.id),
		before: record.before == null ? null : withoutSecrets(record.before),
		after: record.after == null ? null : withoutSecrets(record.after),
	});
}

export interface AuditFilter {
	guildId?: number | undefined;
	actorId?: number | undefined;
	actions?: readonly AuditAction[] | undefined;
	/** Rows older than this id (the previous page's `next`). */
	before?: number | undefined;
	limit: number;
}

export function createAuditLogService(db: Database) {
	return {
		/**
		 * A page of the log, newest first, and the `before` of the next page (null on the last one). Keyset pages: rows
		 * written meanwhile do not shift them, and a deep page costs what the first does.
		 */
		async list(filter: AuditFilter) {
			const conditions: (SQL | undefined)[] = [
				filter.guildId === undefined ? undefined : eq(auditLog.guildId, filter.guildId),
				filter.actorId === undefined ? undefined : eq(auditLog.actorId, filter.actorId),
				filter.actions === undefined ? undefined : inArray(auditLog.action, [...filter.actions]),
				filter.before === undefined ? undefined : lt(auditLog.id, filter.before),
			];
			const rows = await db
				.select({
					id: auditLog.id,
					at: auditLog.at,
					scope: auditLog.scope,
					guildId: auditLog.guildId,
					action: auditLog.action,
					actorId: auditLog.actorId,
					actorName: users.displayName,
					targetType: auditLog.targetType,
					targetId: auditLog.targetId,
					before: auditLog.before,
					after: auditLog.after,
				})
				.from(auditLog)
				.leftJoin(users, eq(users.id, auditLog.actorId))
				.where(and(...conditions))
				.orderBy(desc(auditLog.id))
				.limit(filter.limit + 1);
			const page = rows.slice(0, filter.limit);
			const entries = page.map(({ actorId, actorName, targetType, targetId, action, before, after, ...row }) => ({
				...row,
				// Written from auditActions only; before and after from objects (see recordAudit).
				action: action as AuditAction,
				before: before as Fields | null,
				after: after as Fields | null,
				actor: actorId === null ? null : { userId: actorId, displayName: actorName ?? "" },
				target: targetType === null ? null : { type: targetType, id: targetId ?? "" },
			}));
			const next = rows.length > filter.limit ? (page.at(-1)?.id ?? null) : null;
			return { entries, next };
		},
	};
}

export type AuditLogService = ReturnType<typeof createAuditLogService>;
