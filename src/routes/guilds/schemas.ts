// Zod schemas of the bodies the guild, role, member and domain routes answer, and of the slug they accept.
import { z } from "zod";
import { text } from "../../core/index.js";
import { slugMaxLength, slugMinLength, slugPattern } from "../../tenancy/slugs.js";
import { pictureSchema } from "../files/schemas.js";

/** A slug as clients may send it: case does not matter (hosts are case-insensitive); reserved and taken are the service's. */
export const slugInput = text()
	.trim()
	.toLowerCase()
	.min(slugMinLength)
	.max(slugMaxLength)
	.regex(slugPattern, "lower-case letters, digits and dashes, starting and ending with a letter or digit");

export const roleSummarySchema = z.object({ id: z.number(), name: z.string(), kind: z.string() });

export const roleSchema = roleSummarySchema.extend({ guildId: z.number(), permissions: z.array(z.string()) });

export const guildSchema = z.object({
	id: z.number(),
	name: z.string(),
	/** The guild is served at `<slug>.<base domain>`. */
	slug: z.string(),
	createdBy: z.number().nullable(),
	createdAt: z.date(),
	updatedAt: z.date(),
	/** Set with PUT /api/guilds/{guildId}/emblem; every member may see it. */
	emblem: pictureSchema.nullable(),
});

export const myGuildSchema = z.object({
	id: z.number(),
	name: z.string(),
	slug: z.string(),
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

/** What anyone reads of a guild at its host. */
export const guildProfileSchema = z.object({
	id: z.number(),
	slug: z.string(),
	name: z.string(),
	createdAt: z.date(),
	memberCount: z.number(),
});

/** A member's character as the guild's host lists it, with its owner's display name (never their email). */
export const guildCharacterSchema = z.object({
	id: z.number(),
	name: z.string(),
	level: z.number(),
	classId: z.number(),
	serverId: z.number(),
	owner: z.object({ userId: z.number(), displayName: z.string() }),
});

/** A custom domain: it names the guild once `activatedAt` is set (by a platform admin). */
export const domainSchema = z.object({
	id: z.number(),
	guildId: z.number(),
	domain: z.string(),
	active: z.boolean(),
	createdAt: z.date(),
	activatedAt: z.date().nullable(),
});
