// Zod schemas of the bodies the auth routes answer: a new session, and the caller's list of sessions.
import { z } from "zod";
import { publicUserSchema } from "../me/schemas.js";

/** The body of every answer that opens a session (`sessionBody`): the tokens, and the user they are for. */
export const sessionBodySchema = z.object({
	accessToken: z.string(),
	refreshToken: z.string(),
	expiresAt: z.string(),
	user: publicUserSchema,
});

export const sessionItemSchema = z.object({
	id: z.number(),
	device: z.string().nullable(),
	ip: z.string().nullable(),
	createdAt: z.date(),
	lastSeenAt: z.date(),
	current: z.boolean(),
});
