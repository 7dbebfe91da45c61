// Checker `accountExist`: loads a game account by id (whoever owns it; `accountOwned` decides whether the caller may see it).
import { createChecker } from "../core/index.js";
import type { GameAccountService } from "../services/game-accounts.js";

export function createAccountExist(accounts: GameAccountService) {
	return createChecker("accountExist").handler(async (accountId: number, output) => {
		const account = await accounts.find(accountId);
		return account === undefined ? output("account.notfound", null) : output("account.exist", account);
	});
}
