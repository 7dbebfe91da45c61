// What the /api/me routes answer, each said once: the routes send these values and declare them.
import { z } from "zod";
import { answer, refusal } from "../../core/index.js";
import { publicUserSchema } from "./schemas.js";

const userBody = z.object({ user: publicUserSchema });

export const meAnswers = {
	found: answer(200, "user.found", userBody),
	updated: answer(200, "user.updated", userBody),
	passwordChanged: answer(204, "password.changed"),
	passwordIncorrect: refusal(403, "password.incorrect", "The current password is wrong."),
};
