// Zod schemas of the progression routes: the kinds and statuses they take, and the bodies they answer.
import { z } from "zod";
import { progressionKinds, progressionStatuses } from "../../db/schema/index.js";

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
