// The audit log as tests read it: every row, oldest first, and the rows of one action.
import { asc, eq } from "drizzle-orm";
import type { Executor } from "../../src/db/client.js";
import { auditLog } from "../../src/db/schema/index.js";

export type AuditRow = typeof auditLog.$inferSelect;

/** Every row of the log, in the order they were written. */
export function auditRows(db: Executor): Promise<AuditRow[]> {
	return db.select().from(auditLog).orderBy(asc(auditLog.id));
}

/** The rows of one action, in the order they were written. */
export function auditRowsOf(db: Executor, action: string): Promise<AuditRow[]> {
	return db.select().from(auditLog).where(eq(auditLog.action, action)).orderBy(asc(auditLog.id));
}
