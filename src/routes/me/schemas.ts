// Zod schema of a user as every route that answers one sends it (/api/me, register, the session answers).
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
