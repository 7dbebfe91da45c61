// Zod schemas of the bodies the game account routes answer.
import { z } from "zod";

export const gameAccountSchema = z.object({
	id: z.number(),
	name: z.string(),
	label: z.string().nullable(),
	createdAt: z.date(),
	updatedAt: z.date(),
});

export const gameAccountListItemSchema = gameAccountSchema.extend({ characterCount: z.number() });
