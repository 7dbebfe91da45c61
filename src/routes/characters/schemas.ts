// Zod schemas of the bodies the character routes answer.
import { z } from "zod";
import { pictureSchema } from "../files/schemas.js";

export const characterSchema = z.object({
	id: z.number(),
	accountId: z.number(),
	name: z.string(),
	level: z.number(),
	classId: z.number(),
	serverId: z.number(),
	createdAt: z.date(),
	updatedAt: z.date(),
	/** Set with PUT /api/characters/{characterId}/portrait. */
	portrait: pictureSchema.nullable(),
});

/** The page a list answer holds: its number and size as asked, and the totals of the whole filtered list. */
export const paginationSchema = z.object({
	page: z.number(),
	limit: z.number(),
	total: z.number(),
	totalPages: z.number(),
});
