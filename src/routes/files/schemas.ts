// Zod schemas of what the file routes answer, and of the pictures (portraits, emblems) other resources show.
import { z } from "zod";

/** A character's portrait or a guild's emblem: where to download it, full size (256 px) and thumbnail (64 px). */
export const pictureSchema = z.object({
	fileId: z.uuid(),
	/** `/api/files/{fileId}`: checks the reader's rights, then redirects to a short-lived signed URL. */
	url: z.string(),
	thumbnailUrl: z.string(),
});

/** A quota refusal says how far the user is: what they hold and what they may hold, in bytes. */
export const quotaExceededSchema = z.object({
	error: z.literal("quota.exceeded"),
	message: z.string(),
	usedBytes: z.number(),
	quotaBytes: z.number(),
});
