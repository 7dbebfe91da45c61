// Game account routes: list mine, create, read, rename or relabel, delete (refused while it holds characters, unless ?cascade=true).
import { z } from "zod";
import { type App, IHaveSentThis, text } from "../../core/index.js";
import { fail, refusal } from "../../responses.js";
import { accountNotFound, type DomainRouteDependencies } from "../domain-guards.js";
import { accountListItemSchema, accountSchema } from "../domain-schemas.js";
import { idParam } from "../params.js";
import { booleanQuery } from "../query.js";

const accountName = text().trim().min(1).max(50);
const accountLabel = text().trim().max(100).nullable();
const accountBody = z.object({ account: accountSchema });

export function declareAccountRoutes(_app: App, { services, guards }: DomainRouteDependencies): void {
	const { accounts } = services;
	const { authenticatedRoute, accountFound, accountMine } = guards;

	authenticatedRoute.declareRoute("GET", "/api/accounts").handler(
		async ({ pickup }, response) => {
			response
				.code(200)
				.info("account.list")
				.send({ accounts: await accounts.listForUser(pickup("user").id) });
		},
		new IHaveSentThis(200, "account.list", z.object({ accounts: z.array(accountListItemSchema) })),
	);

	authenticatedRoute
		.declareRoute("POST", "/api/accounts")
		.extract({ body: { name: accountName, label: accountLabel.optional() } })
		.handler(
			async ({ pickup }, response) => {
				const account = await accounts.create(pickup("user").id, { name: pickup("name"), label: pickup("label") });
				response.code(201).info("account.created").send({ account });
			},
			new IHaveSentThis(201, "account.created", accountBody),
			refusal(409, "account.name_taken"),
		);

	authenticatedRoute
		.declareRoute("GET", "/api/accounts/{accountId}")
		.extract({ params: { accountId: idParam } })
		.presetCheck(accountFound, (pickup) => pickup("accountId"))
		.presetCheck(accountMine, (pickup) => ({ account: pickup("account"), userId: pickup("user").id }))
		.handler(
			({ pickup }, response) =>
				response
					.code(200)
					.info("account.found")
					.send({ account: pickup("account") }),
			new IHaveSentThis(200, "account.found", accountBody),
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
				response.code(200).info("account.updated").send({ account });
			},
			new IHaveSentThis(200, "account.updated", accountBody),
			accountNotFound,
			refusal(409, "account.name_taken"),
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
					fail(
						response,
						409,
						"account.not_empty",
						`The account still holds ${removal.characters} character(s): delete them first, or ask for ?cascade=true.`,
					);
				}
				response.code(204).info("account.deleted").send();
			},
			new IHaveSentThis(204, "account.deleted"),
			refusal(409, "account.not_empty"),
		);
}
