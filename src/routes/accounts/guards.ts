// The game account checkers, built once per app, and their presets: how routes use them (expected result,
// refusal, floor key).
import { createGameAccountExist } from "../../checkers/game-account-exist.js";
import { createGameAccountOwned } from "../../checkers/game-account-owned.js";
import { createPresetChecker } from "../../core/index.js";
import type { DomainServices } from "../../services/domain.js";
import { gameAccountAnswers } from "./answers.js";

export function createGameAccountGuards({ gameAccounts }: Pick<DomainServices, "gameAccounts">) {
	const gameAccountExist = createGameAccountExist(gameAccounts);
	const gameAccountOwned = createGameAccountOwned();
	return {
		gameAccountExist,
		gameAccountOwned,
		/** Drops `account`. */
		gameAccountFound: createPresetChecker(gameAccountExist, {
			result: "account.exist",
			indexing: "account",
			catch: gameAccountAnswers.notFound,
		}),
		gameAccountMine: createPresetChecker(gameAccountOwned, {
			result: "account.owned",
			catch: gameAccountAnswers.notFound,
		}),
	};
}

export type GameAccountGuards = ReturnType<typeof createGameAccountGuards>;
