// Zod schemas of the bodies the guild, role and member routes answer.
import { z } from "zod";

export const roleSummarySchema = z.object({ id: z.number(), name: z.string(), kind: z.string() });

export const roleSchema = roleSummarySchema.extend({ guildId: z.number(), permissions: z.array(z.string()) });

export const guildSchema = z.object({
	id: z.number(),
	name: z.string(),
	createdBy: z.number().nullable(),
	createdAt: z.date(),
	updatedAt: z.date(),
});

export const myGuildSchema = z.object({
	id: z.number(),
	name: z.string(),
	createdAt: z.date(),
	role: roleSummarySchema,
	joinedAt: z.date(),
});

export const memberSchema = z.object({
	userId: z.number(),
	displayName: z.string(),
	role: roleSummarySchema,
	joinedAt: z.date(),
});
