// What the game account routes answer, each said once: the routes send these values and declare them.
import { z } from "zod";
import { answer, refusal } from "../../core/index.js";
import { gameAccountListItemSchema, gameAccountSchema } from "./schemas.js";

const gameAccountBody = z.object({ account: gameAccountSchema });

export const gameAccountAnswers = {
	list: answer(200, "account.list", z.object({ accounts: z.array(gameAccountListItemSchema) })),
	created: answer(201, "account.created", gameAccountBody),
	found: answer(200, "account.found", gameAccountBody),
	updated: answer(200, "account.updated", gameAccountBody),
	deleted: answer(204, "account.deleted"),
	/** Someone else's game account answers exactly like a missing one: ids cannot be probed. */
	notFound: refusal(404, "account.notfound", "No such game account."),
	/** Sent by the database error mapping (game_accounts_user_name_unique). */
	nameTaken: refusal(409, "account.name_taken", "You already have a game account of that name."),
	/** Sent with the number of characters it holds. */
	notEmpty: refusal(
		409,
		"account.not_empty",
		"The account still holds characters: delete them first, or ask for ?cascade=true.",
	),
};
