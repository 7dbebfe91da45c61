// Checker `gameAccountExist`: loads a game account by id, whoever owns it (`gameAccountOwned` decides whether the
// caller may see it).
import { createChecker } from "../core/index.js";
import type { GameAccountService } from "../services/game-accounts.js";

export function createGameAccountExist(gameAccounts: GameAccountService) {
	return createChecker("gameAccountExist").handler(async (accountId: number, output) => {
		const account = await gameAccounts.find(accountId);
		return account === undefined ? output("account.notfound", null) : output("account.exist", account);
	});
}
