// Loads the reference data shipped in src/db/seed/data/ (classes, servers, dungeons); safe to run at every start.
import { type SQL, sql } from "drizzle-orm";
import type { AnyPgColumn } from "drizzle-orm/pg-core";
import type { Executor } from "../client.js";
import { classes, dungeons, servers } from "../schema/index.js";
import { classRows } from "./data/classes.js";
import { dungeonRows } from "./data/dungeons.js";
import { serverRows } from "./data/servers.js";

// Skipping unchanged rows keeps restarts from rewriting (and bloating) the reference tables.
const changed = (column: AnyPgColumn) => sql`${column} is distinct from excluded.${sql.identifier(column.name)}`;
// Once the DofusDB sync has written a row (synced_at set), it owns its name and level: the seed leaves it alone,
// otherwise every restart would undo the last sync and the next sync would redo it.
const shippedOwns = (syncedAt: AnyPgColumn, condition: SQL) => sql`${syncedAt} is null and (${condition})`;

export interface ReferenceCounts {
	classes: number;
	servers: number;
	dungeons: number;
}

/**
 * Upserts by id, so a renamed row is updated in place and rows users refer to are never deleted.
 * One transaction: a start never sees half the reference data.
 */
export async function seedReferenceData(db: Executor): Promise<ReferenceCounts> {
	await db.transaction(async (tx) => {
		await tx
			.insert(classes)
			.values([...classRows])
			.onConflictDoUpdate({
				target: classes.id,
				set: { name: sql`excluded.name`, dofusdbId: sql`excluded.dofusdb_id` },
				setWhere: shippedOwns(classes.syncedAt, sql`${changed(classes.name)} or ${changed(classes.dofusdbId)}`),
			});
		await tx
			.insert(servers)
			.values([...serverRows])
			.onConflictDoUpdate({
				target: servers.id,
				set: { name: sql`excluded.name` },
				setWhere: shippedOwns(servers.syncedAt, changed(servers.name)),
			});
		await tx
			.insert(dungeons)
			.values([...dungeonRows])
			.onConflictDoUpdate({
				target: dungeons.id,
				set: { name: sql`excluded.name`, level: sql`excluded.level` },
				setWhere: shippedOwns(dungeons.syncedAt, sql`${changed(dungeons.name)} or ${changed(dungeons.level)}`),
			});
	});
	return { classes: classRows.length, servers: serverRows.length, dungeons: dungeonRows.length };
}
