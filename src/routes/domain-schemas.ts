// Zod schemas of the bodies the player-facing routes answer (accounts, characters, teams, progressions).
import { z } from "zod";
import { progressionKinds, progressionStatuses } from "../db/schema/index.js";

export const gameAccountSchema = z.object({
	id: z.number(),
	name: z.string(),
	label: z.string().nullable(),
	createdAt: z.date(),
	updatedAt: z.date(),
});

export const gameAccountListItemSchema = gameAccountSchema.extend({ characterCount: z.number() });

export const characterSchema = z.object({
	id: z.number(),
	accountId: z.number(),
	name: z.string(),
	level: z.number(),
	classId: z.number(),
	serverId: z.number(),
	createdAt: z.date(),
	updatedAt: z.date(),
});

export const paginationSchema = z.object({
	page: z.number(),
	limit: z.number(),
	total: z.number(),
	totalPages: z.number(),
});

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

export const progressionKindSchema = z.enum(progressionKinds);
export const progressionStatusSchema = z.enum(progressionStatuses);

export const progressionSchema = z.object({
	kind: progressionKindSchema,
	refId: z.number(),
	status: progressionStatusSchema,
	updatedAt: z.date(),
});

const statusCountsSchema = z.object({ todo: z.number(), in_progress: z.number(), done: z.number() });

export const memberProgressionSummarySchema = z.object({
	userId: z.number(),
	displayName: z.string(),
	characters: z.number(),
	progressions: z.object({ quest: statusCountsSchema, achievement: statusCountsSchema, dungeon: statusCountsSchema }),
});

export const progressionMatrixSchema = z.object({
	kind: progressionKindSchema,
	characters: z.array(
		z.object({ id: z.number(), name: z.string(), level: z.number(), classId: z.number(), userId: z.number() }),
	),
	rows: z.array(
		z.object({
			refId: z.number(),
			name: z.string().nullable(),
			level: z.number().nullable(),
			statuses: z.array(progressionStatusSchema),
		}),
	),
});
