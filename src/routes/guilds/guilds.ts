// Guild routes: create (the creator becomes owner), list mine, read, rename or change the slug, delete (owners only).
import { type App, type Response, text } from "../../core/index.js";
import { SlugUnavailableError } from "../../services/guild-slugs.js";
import type { FileRouteServices } from "../files/guards.js";
import type { IdentityRouteDependencies } from "../guards.js";
import { idParam } from "../params.js";
import { guildAnswers } from "./answers.js";
import { slugInput } from "./schemas.js";

const guildName = text().trim().min(2).max(64);
const { slugTaken, slugReserved } = guildAnswers;

/** Runs a write that claims a slug; a slug it could not have is answered 409 with the reason. */
async function claimingSlug<T>(response: Response<typeof slugTaken | typeof slugReserved>, write: () => Promise<T>) {
	try {
		return await write();
	} catch (error) {
		if (!(error instanceof SlugUnavailableError)) throw error;
		return (error.reason === "reserved" ? slugReserved : slugTaken).send(response);
	}
}

export function declareGuildRoutes(
	_app: App,
	{ services, guards }: IdentityRouteDependencies,
	{ pictures }: Pick<FileRouteServices, "pictures">,
): void {
	const { guilds } = services;
	const { authenticatedRoute, userHasRight, guildExist } = guards;

	authenticatedRoute
		.declareRoute("POST", "/api/guilds")
		// Without a slug, one is derived from the name (`Les Bworks` → `les-bworks`, then `les-bworks-2`…).
		.extract({ body: { name: guildName, slug: slugInput.optional() } })
		.handler(
			async ({ pickup }, response) => {
				const guild = await claimingSlug(response, () =>
					guilds.create(pickup("user").id, pickup("name"), pickup("slug")),
				);
				guildAnswers.created.send(response, { guild: { ...guild, emblem: null } });
			},
			guildAnswers.created,
			slugTaken,
			slugReserved,
		);

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
		.handler(async ({ pickup }, response) => {
			const { roleId, roleName, roleKind, permissions } = pickup("membership");
			const myRole = { id: roleId, name: roleName, kind: roleKind, permissions };
			const guild = pickup("guild");
			guildAnswers.found.send(response, { guild: { ...guild, emblem: await pictures.emblemOf(guild.id) }, myRole });
		}, guildAnswers.found);

	authenticatedRoute
		.declareRoute("PATCH", "/api/guilds/{guildId}")
		.extract({ params: { guildId: idParam }, body: { name: guildName.optional(), slug: slugInput.optional() } })
		.process(userHasRight, {
			input: (pickup) => pickup("guildId"),
			options: { right: "guild.manage" },
			pickup: ["membership"],
		})
		.cut(
			({ pickup }, response) => {
				// The slug is the guild's address, its previous one redirecting for a while: like deleting, the owners' call.
				if (pickup("slug") !== undefined && pickup("membership").roleKind !== "owner")
					guildAnswers.ownerOnlySlug.send(response);
			},
			[],
			guildAnswers.ownerOnlySlug,
		)
		.handler(
			async ({ pickup }, response) => {
				const guild = await claimingSlug(response, () =>
					guilds.update(pickup("guildId"), { name: pickup("name"), slug: pickup("slug") }, pickup("user").id),
				);
				if (guild === undefined) return guildAnswers.notFound.send(response);
				guildAnswers.updated.send(response, { guild: { ...guild, emblem: await pictures.emblemOf(guild.id) } });
			},
			guildAnswers.updated,
			guildAnswers.notFound,
			slugTaken,
			slugReserved,
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
			await guilds.remove(pickup("guildId"), pickup("user").id);
			guildAnswers.deleted.send(response);
		}, guildAnswers.deleted);
}
