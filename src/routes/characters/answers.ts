// What the character routes answer, each said once: the routes send these values and declare them.
import { z } from "zod";
import { answer, refusal } from "../../core/index.js";
import { characterSchema, paginationSchema } from "./schemas.js";

const characterBody = z.object({ character: characterSchema });

export const characterAnswers = {
	list: answer(200, "character.list", z.object({ characters: z.array(characterSchema), pagination: paginationSchema })),
	levelRangeInvalid: refusal(400, "level.range_invalid", "minLevel must not be above maxLevel."),
	created: answer(201, "character.created", characterBody),
	found: answer(200, "character.found", characterBody),
	updated: answer(200, "character.updated", characterBody),
	deleted: answer(204, "character.deleted"),
	bulkDeleted: answer(200, "character.bulk_deleted", z.object({ deleted: z.number() })),
	/** Someone else's character (that the caller may not read) answers exactly like a missing one. */
	notFound: refusal(404, "character.notfound", "No such character."),
	/** Sent by the database error mapping (characters_server_name_unique). */
	nameTaken: refusal(409, "character.name_taken", "A character of that name already exists on this server."),
	inTeamOfItsServer: refusal(
		409,
		"team.server_mismatch",
		"The character is in a team of its current server: take it out of the team first.",
	),
};
