// Which sessions are still live: the real-time hub asks it about its open connections, so a revoked or expired session
// loses its streams within a check interval, whichever instance or code path ended it.
import { and, gt, inArray, isNull } from "drizzle-orm";
import type { Database } from "../db/index.js";
import { sessions } from "../db/schema/index.js";
import type { SessionLiveness } from "../realtime/hub.js";
import type { Clock } from "./settings.js";

export function createSessionLiveness(db: Database, now: Clock): SessionLiveness {
	return async (sessionIds) => {
		if (sessionIds.length === 0) return new Set();
		// One query for every connection of the instance, by primary key.
		const rows = await db
			.select({ id: sessions.id })
			.from(sessions)
			.where(
				and(inArray(sessions.id, [...sessionIds]), isNull(sessions.revokedAt), gt(sessions.accessExpiresAt, now())),
			);
		return new Set(rows.map((row) => row.id));
	};
}
