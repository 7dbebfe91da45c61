// Zod schemas of the bodies identity routes answer: contracts check them in DEV/TEST and bodies are serialised from them.
import { z } from "zod";

// Dates are declared as dates: they leave as ISO strings, and the OpenAPI generator writes them so.
export const publicUserSchema = z.object({
	id: z.number(),
	email: z.string(),
	displayName: z.string(),
	locale: z.string(),
	twoFactorEnabled: z.boolean(),
	createdAt: z.date(),
});

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

export const sessionItemSchema = z.object({
	id: z.number(),
	device: z.string().nullable(),
	ip: z.string().nullable(),
	createdAt: z.date(),
	lastSeenAt: z.date(),
	current: z.boolean(),
});
