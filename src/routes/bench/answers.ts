// What the benchmark routes answer, each said once: the routes send these values and declare them.
// The handlers answer with the throw-free `response.respond()` and bodies without a schema (nothing is parsed on
// the measured path), so they set the code and info themselves: scenario 1 as literals, scenario 2 from its value.
import { answer, refusal } from "../../core/index.js";

export const benchAnswers = {
	hello: answer(200, "hello.sent"),
	echoed: answer(200, "user.echoed"),
	idInvalid: refusal(400, "user.invalid", "The user id must be a positive integer."),
};
