// Zod schemas of the bodies the team and team member routes answer.
import { z } from "zod";

export const teamSchema = z.object({
	id: z.number(),
	name: z.string(),
	ownerUserId: z.number().nullable(),
	guildId: z.number().nullable(),
	serverId: z.number(),
	createdAt: z.date(),
	updatedAt: z.date(),
});

export const teamListItemSchema = teamSchema.extend({ memberCount: z.number() });

export const teamMemberSchema = z.object({
	id: z.number(),
	name: z.string(),
	level: z.number(),
	classId: z.number(),
	serverId: z.number(),
	userId: z.number(),
	addedAt: z.date(),
});

export const teamDetailSchema = teamSchema.extend({ members: z.array(teamMemberSchema) });
