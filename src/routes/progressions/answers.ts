// What the progression routes answer, each said once: the routes send these values and declare them.
import { z } from "zod";
import { answer } from "../../core/index.js";
import { memberProgressionSummarySchema, progressionMatrixSchema, progressionSchema } from "./schemas.js";

export const progressionAnswers = {
	list: answer(200, "progression.list", z.object({ progressions: z.array(progressionSchema) })),
	saved: answer(200, "progression.saved", z.object({ progression: progressionSchema })),
	matrix: answer(200, "progression.matrix", progressionMatrixSchema),
	summary: answer(200, "progression.summary", z.object({ members: z.array(memberProgressionSummarySchema) })),
};
