// The public reference lists (classes, servers, dungeons): their body schemas and the one query each.
import { asc } from "drizzle-orm";
import { z } from "zod";
import type { Executor } from "../db/index.js";
import { classes, dungeons, servers } from "../db/schema/index.js";

export const referenceResources = ["classes", "servers", "dungeons"] as const;
export type ReferenceResource = (typeof referenceResources)[number];

export const classSchema = z.object({ id: z.number().int(), name: z.string() });
export const serverSchema = z.object({ id: z.number().int(), name: z.string() });
export const dungeonSchema = z.object({ id: z.number().int(), name: z.string(), level: z.number().int() });

/** The 200 bodies, keyed by resource; the route declares them, the cache builds its bodies through them. */
export const referenceBodySchemas = {
	classes: z.object({ classes: z.array(classSchema) }),
	servers: z.object({ servers: z.array(serverSchema) }),
	dungeons: z.object({ dungeons: z.array(dungeonSchema) }),
} as const;

export type ReferenceBody<R extends ReferenceResource> = z.infer<(typeof referenceBodySchemas)[R]>;

/** Reads one list from the database, shaped as its 200 body (only the public columns, in a stable order). */
export async function loadReferenceBody<R extends ReferenceResource>(
	db: Executor,
	resource: R,
): Promise<ReferenceBody<R>> {
	switch (resource) {
		case "classes":
			return {
				classes: await db.select({ id: classes.id, name: classes.name }).from(classes).orderBy(asc(classes.id)),
			} as ReferenceBody<R>;
		case "servers":
			return {
				servers: await db.select({ id: servers.id, name: servers.name }).from(servers).orderBy(asc(servers.id)),
			} as ReferenceBody<R>;
		default:
			return {
				dungeons: await db
					.select({ id: dungeons.id, name: dungeons.name, level: dungeons.level })
					.from(dungeons)
					.orderBy(asc(dungeons.level), asc(dungeons.id)),
			} as ReferenceBody<R>;
	}
}
