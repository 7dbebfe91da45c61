// Guild routes: create (the creator becomes owner), list mine, read, rename, delete (owners only).
import { z } from "zod";
import { type App, IHaveSentThis, text } from "../../core/index.js";
import { fail, refusal } from "../../responses.js";
import type { IdentityRouteDependencies } from "../guards.js";
import { idParam } from "../params.js";
import { guildSchema, myGuildSchema, roleSchema, roleSummarySchema } from "../schemas.js";

const guildName = text().trim().min(2).max(64);

export function declareGuildRoutes(_app: App, { services, guards }: IdentityRouteDependencies): void {
	const { guilds } = services;
	const { authenticatedRoute, userHasRight, guildExist } = guards;

	authenticatedRoute
		.declareRoute("POST", "/api/guilds")
		.extract({ body: { name: guildName } })
		.handler(
			async ({ pickup }, response) => {
				const guild = await guilds.create(pickup("user").id, pickup("name"));
				response.code(201).info("guild.created").send({ guild });
			},
			new IHaveSentThis(201, "guild.created", z.object({ guild: guildSchema.extend({ role: roleSchema }) })),
		);

	authenticatedRoute.declareRoute("GET", "/api/guilds").handler(
		async ({ pickup }, response) => {
			response
				.code(200)
				.info("guild.list")
				.send({ guilds: await guilds.listForUser(pickup("user").id) });
		},
		new IHaveSentThis(200, "guild.list", z.object({ guilds: z.array(myGuildSchema) })),
	);

	authenticatedRoute
		.declareRoute("GET", "/api/guilds/{guildId}")
		.extract({ params: { guildId: idParam } })
		.process(userHasRight, { input: (pickup) => pickup("guildId"), pickup: ["membership"] })
		.check(
			guildExist,
			{
				input: (pickup) => pickup("guildId"),
				result: "guild.exist",
				indexing: "guild",
				catch: (response) => fail(response, 404, "guild.notfound", "No such guild."),
			},
			refusal(404, "guild.notfound"),
		)
		.handler(
			({ pickup }, response) => {
				const { roleId, roleName, roleKind, permissions } = pickup("membership");
				response
					.code(200)
					.info("guild.found")
					.send({ guild: pickup("guild"), myRole: { id: roleId, name: roleName, kind: roleKind, permissions } });
			},
			new IHaveSentThis(
				200,
				"guild.found",
				z.object({ guild: guildSchema, myRole: roleSummarySchema.extend({ permissions: z.array(z.string()) }) }),
			),
		);

	authenticatedRoute
		.declareRoute("PATCH", "/api/guilds/{guildId}")
		.extract({ params: { guildId: idParam }, body: { name: guildName.optional() } })
		.process(userHasRight, { input: (pickup) => pickup("guildId"), options: { right: "guild.manage" } })
		.handler(
			async ({ pickup }, response) => {
				const guild = await guilds.update(pickup("guildId"), { name: pickup("name") });
				if (guild === undefined) fail(response, 404, "guild.notfound", "No such guild.");
				response.code(200).info("guild.updated").send({ guild });
			},
			new IHaveSentThis(200, "guild.updated", z.object({ guild: guildSchema })),
			refusal(404, "guild.notfound"),
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
				if (pickup("membership").roleKind !== "owner")
					fail(response, 403, "owner.required", "Only an owner can delete the guild.");
			},
			[],
			refusal(403, "owner.required"),
		)
		.handler(async ({ pickup }, response) => {
			await guilds.remove(pickup("guildId"));
			response.code(204).info("guild.deleted").send();
		}, new IHaveSentThis(204, "guild.deleted"));
}
