// Checker `gameAccountOwned`: whether a game account is the caller's; routes answer "not owned" as 404, so ids reveal
// nothing.
import { createChecker } from "../core/index.js";

export function createGameAccountOwned() {
	return createChecker("gameAccountOwned").handler((input: { account: { userId: number }; userId: number }, output) =>
		input.account.userId === input.userId ? output("account.owned", input.account) : output("account.notowned", null),
	);
}
