// Game account routes: list mine, create, read, rename or relabel, delete (refused while it holds characters, unless ?cascade=true).
import { type App, text } from "../../core/index.js";
import type { DomainRouteDependencies } from "../guards.js";
import { idParam } from "../params.js";
import { booleanQuery } from "../query.js";
import { gameAccountAnswers } from "./answers.js";

const gameAccountName = text().trim().min(1).max(50);
const gameAccountLabel = text().trim().max(100).nullable();

export function declareGameAccountRoutes(_app: App, { services, guards }: DomainRouteDependencies): void {
	const { gameAccounts } = services;
	const { authenticatedRoute, gameAccountFound, gameAccountMine } = guards;

	authenticatedRoute
		.declareRoute("GET", "/api/accounts")
		.handler(
			async ({ pickup }, response) =>
				gameAccountAnswers.list.send(response, { accounts: await gameAccounts.listForUser(pickup("user").id) }),
			gameAccountAnswers.list,
		);

	authenticatedRoute
		.declareRoute("POST", "/api/accounts")
		.extract({ body: { name: gameAccountName, label: gameAccountLabel.optional() } })
		.handler(
			async ({ pickup }, response) => {
				const account = await gameAccounts.create(pickup("user").id, { name: pickup("name"), label: pickup("label") });
				gameAccountAnswers.created.send(response, { account });
			},
			gameAccountAnswers.created,
			gameAccountAnswers.nameTaken,
		);

	authenticatedRoute
		.declareRoute("GET", "/api/accounts/{accountId}")
		.extract({ params: { accountId: idParam } })
		.presetCheck(gameAccountFound, (pickup) => pickup("accountId"))
		.presetCheck(gameAccountMine, (pickup) => ({ account: pickup("account"), userId: pickup("user").id }))
		.handler(
			({ pickup }, response) => gameAccountAnswers.found.send(response, { account: pickup("account") }),
			gameAccountAnswers.found,
		);

	authenticatedRoute
		.declareRoute("PATCH", "/api/accounts/{accountId}")
		.extract({
			params: { accountId: idParam },
			body: { name: gameAccountName.optional(), label: gameAccountLabel.optional() },
		})
		.presetCheck(gameAccountFound, (pickup) => pickup("accountId"))
		.presetCheck(gameAccountMine, (pickup) => ({ account: pickup("account"), userId: pickup("user").id }))
		.handler(
			async ({ pickup }, response) => {
				const account = await gameAccounts.update(pickup("accountId"), {
					name: pickup("name"),
					label: pickup("label"),
				});
				if (account === undefined) return gameAccountAnswers.notFound.send(response);
				gameAccountAnswers.updated.send(response, { account });
			},
			gameAccountAnswers.updated,
			gameAccountAnswers.notFound,
			gameAccountAnswers.nameTaken,
		);

	authenticatedRoute
		.declareRoute("DELETE", "/api/accounts/{accountId}")
		.extract({ params: { accountId: idParam }, query: { cascade: booleanQuery } })
		.presetCheck(gameAccountFound, (pickup) => pickup("accountId"))
		.presetCheck(gameAccountMine, (pickup) => ({ account: pickup("account"), userId: pickup("user").id }))
		.handler(
			async ({ pickup }, response) => {
				const removal = await gameAccounts.remove(pickup("accountId"), pickup("cascade"));
				if (removal.status === "not-empty") {
					const message = `The account still holds ${removal.characters} character(s): delete them first, or ask for ?cascade=true.`;
					gameAccountAnswers.notEmpty.send(response, message);
				}
				gameAccountAnswers.deleted.send(response);
			},
			gameAccountAnswers.deleted,
			gameAccountAnswers.notEmpty,
		);
}
