// Guild routes: create (the creator becomes owner), list mine, read, rename, delete (owners only).
import { type App, text } from "../../core/index.js";
import type { IdentityRouteDependencies } from "../guards.js";
import { idParam } from "../params.js";
import { guildAnswers } from "./answers.js";

const guildName = text().trim().min(2).max(64);

export function declareGuildRoutes(_app: App, { services, guards }: IdentityRouteDependencies): void {
	const { guilds } = services;
	const { authenticatedRoute, userHasRight, guildExist } = guards;

	authenticatedRoute
		.declareRoute("POST", "/api/guilds")
		.extract({ body: { name: guildName } })
		.handler(async ({ pickup }, response) => {
			const guild = await guilds.create(pickup("user").id, pickup("name"));
			guildAnswers.created.send(response, { guild });
		}, guildAnswers.created);

	authenticatedRoute
		.declareRoute("GET", "/api/guilds")
		.handler(
			async ({ pickup }, response) =>
				guildAnswers.list.send(response, { guilds: await guilds.listForUser(pickup("user").id) }),
			guildAnswers.list,
		);

	authenticatedRoute
		.declareRoute("GET", "/api/guilds/{guildId}")
		.extract({ params: { guildId: idParam } })
		.process(userHasRight, { input: (pickup) => pickup("guildId"), pickup: ["membership"] })
		.check(guildExist, {
			input: (pickup) => pickup("guildId"),
			result: "guild.exist",
			indexing: "guild",
			catch: guildAnswers.notFound,
		})
		.handler(({ pickup }, response) => {
			const { roleId, roleName, roleKind, permissions } = pickup("membership");
			const myRole = { id: roleId, name: roleName, kind: roleKind, permissions };
			guildAnswers.found.send(response, { guild: pickup("guild"), myRole });
		}, guildAnswers.found);

	authenticatedRoute
		.declareRoute("PATCH", "/api/guilds/{guildId}")
		.extract({ params: { guildId: idParam }, body: { name: guildName.optional() } })
		.process(userHasRight, { input: (pickup) => pickup("guildId"), options: { right: "guild.manage" } })
		.handler(
			async ({ pickup }, response) => {
				const guild = await guilds.update(pickup("guildId"), { name: pickup("name") });
				if (guild === undefined) return guildAnswers.notFound.send(response);
				guildAnswers.updated.send(response, { guild });
			},
			guildAnswers.updated,
			guildAnswers.notFound,
		);

	authenticatedRoute
		.declareRoute("DELETE", "/api/guilds/{guildId}")
		.extract({ params: { guildId: idParam } })
		.process(userHasRight, {
			input: (pickup) => pickup("guildId"),
			options: { right: "guild.manage" },
			pickup: ["membership"],
		})
		.cut(
			({ pickup }, response) => {
				// Managing a guild is not owning it: deleting it, with every team and member, is the owners' call.
				if (pickup("membership").roleKind !== "owner") guildAnswers.ownerOnlyDelete.send(response);
			},
			[],
			guildAnswers.ownerOnlyDelete,
		)
		.handler(async ({ pickup }, response) => {
			await guilds.remove(pickup("guildId"));
			guildAnswers.deleted.send(response);
		}, guildAnswers.deleted);
}
