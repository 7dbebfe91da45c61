// Game account routes: list mine, create, read, rename or relabel, delete (refused while it holds characters, unless ?cascade=true).
import { type App, text } from "../../core/index.js";
import { accountNotFound, type DomainRouteDependencies } from "../domain-guards.js";
import { idParam } from "../params.js";
import { booleanQuery } from "../query.js";
import { accountAnswers } from "./answers.js";

const accountName = text().trim().min(1).max(50);
const accountLabel = text().trim().max(100).nullable();

export function declareAccountRoutes(_app: App, { services, guards }: DomainRouteDependencies): void {
	const { accounts } = services;
	const { authenticatedRoute, accountFound, accountMine } = guards;

	authenticatedRoute
		.declareRoute("GET", "/api/accounts")
		.handler(
			async ({ pickup }, response) =>
				accountAnswers.list.send(response, { accounts: await accounts.listForUser(pickup("user").id) }),
			accountAnswers.list,
		);

	authenticatedRoute
		.declareRoute("POST", "/api/accounts")
		.extract({ body: { name: accountName, label: accountLabel.optional() } })
		.handler(
			async ({ pickup }, response) => {
				const account = await accounts.create(pickup("user").id, { name: pickup("name"), label: pickup("label") });
				accountAnswers.created.send(response, { account });
			},
			accountAnswers.created,
			accountAnswers.nameTaken,
		);

	authenticatedRoute
		.declareRoute("GET", "/api/accounts/{accountId}")
		.extract({ params: { accountId: idParam } })
		.presetCheck(accountFound, (pickup) => pickup("accountId"))
		.presetCheck(accountMine, (pickup) => ({ account: pickup("account"), userId: pickup("user").id }))
		.handler(
			({ pickup }, response) => accountAnswers.found.send(response, { account: pickup("account") }),
			accountAnswers.found,
		);

	authenticatedRoute
		.declareRoute("PATCH", "/api/accounts/{accountId}")
		.extract({ params: { accountId: idParam }, body: { name: accountName.optional(), label: accountLabel.optional() } })
		.presetCheck(accountFound, (pickup) => pickup("accountId"))
		.presetCheck(accountMine, (pickup) => ({ account: pickup("account"), userId: pickup("user").id }))
		.handler(
			async ({ pickup }, response) => {
				const account = await accounts.update(pickup("accountId"), { name: pickup("name"), label: pickup("label") });
				if (account === undefined) return accountNotFound.send(response);
				accountAnswers.updated.send(response, { account });
			},
			accountAnswers.updated,
			accountNotFound,
			accountAnswers.nameTaken,
		);

	authenticatedRoute
		.declareRoute("DELETE", "/api/accounts/{accountId}")
		.extract({ params: { accountId: idParam }, query: { cascade: booleanQuery } })
		.presetCheck(accountFound, (pickup) => pickup("accountId"))
		.presetCheck(accountMine, (pickup) => ({ account: pickup("account"), userId: pickup("user").id }))
		.handler(
			async ({ pickup }, response) => {
				const removal = await accounts.remove(pickup("accountId"), pickup("cascade"));
				if (removal.status === "not-empty") {
					const message = `The account still holds ${removal.characters} character(s): delete them first, or ask for ?cascade=true.`;
					accountAnswers.notEmpty.send(response, message);
				}
				accountAnswers.deleted.send(response);
			},
			accountAnswers.deleted,
			accountAnswers.notEmpty,
		);
}
