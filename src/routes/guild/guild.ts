// The routes of a guild's host (`<slug>.<base domain>`, a custom domain, or X-Guild on the base domain): the guild is
// the host's, never a path parameter. Its profile (public, or its members' only); its members and their characters, with
// today's guild rights.
import type { App } from "../../core/index.js";
import { guildFromHost } from "../../processes/guild-from-host.js";
import type { GuildProfileService } from "../../services/guild-profile.js";
import type { GuildSettingsService } from "../../services/guild-settings.js";
import type { IdentityRouteDependencies } from "../guards.js";
import { guildHostAnswers, memberAnswers } from "../guilds/answers.js";
import { limitQuery, pageQuery } from "../query.js";

export function declareGuildHostRoutes(
	app: App,
	{ services, guards }: IdentityRouteDependencies,
	profiles: GuildProfileService,
	settings: Pick<GuildSettingsService, "get">,
): void {
	const { guilds } = services;
	const { authenticated, authenticatedRoute, userHasRight } = guards;
	const { noGuild } = guildHostAnswers;

	// Anyone, signed in or not, when the guild's visibility is `public` (the default): the profile names no member.
	// `members`: its members only; 401 without a session, and the 404 of guild routes to anyone else.
	app
		.declareRoute("GET", "/api/guild")
		.process(guildFromHost, { pickup: ["hostGuild"] })
		.cut(
			async ({ pickup }) => ({
				membersOnly: (await settings.get(pickup("hostGuild").id)).visibility === "members",
			}),
			["membersOnly"],
		)
		.process(authenticated, { skip: (pickup) => !pickup("membersOnly") })
		.process(userHasRight, { input: (pickup) => pickup("hostGuild").id, skip: (pickup) => !pickup("membersOnly") })
		.handler(
			async ({ pickup }, response) => {
				const guild = await profiles.profile(pickup("hostGuild").id);
				// Deleted since the host was resolved: as unknown as any other host.
				if (guild === undefined) return noGuild.send(response);
				return guildHostAnswers.profile.respond(response, { guild });
			},
			guildHostAnswers.profile,
			noGuild,
		);

	// Members only (like GET /api/guilds/{guildId}/members): anyone else, another guild's members included, gets 404.
	authenticatedRoute
		.declareRoute("GET", "/api/guild/members")
		.process(guildFromHost, { pickup: ["hostGuild"] })
		.process(userHasRight, { input: (pickup) => pickup("hostGuild").id })
		.handler(
			async ({ pickup }, response) =>
				memberAnswers.list.respond(response, { members: await guilds.members(pickup("hostGuild").id) }),
			memberAnswers.list,
		);

	// `character.view`, the right that lets a member read a fellow's characters anywhere else.
	authenticatedRoute
		.declareRoute("GET", "/api/guild/characters")
		.extract({ query: { page: pageQuery, limit: limitQuery } })
		.process(guildFromHost, { pickup: ["hostGuild"] })
		.process(userHasRight, { input: (pickup) => pickup("hostGuild").id, options: { right: "character.view" } })
		.handler(async ({ pickup }, response) => {
			const page = pickup("page");
			const limit = pickup("limit");
			const found = await profiles.memberCharacters(pickup("hostGuild").id, { page, limit });
			return guildHostAnswers.characters.respond(response, {
				characters: found.characters,
				pagination: { page, limit, total: found.total, totalPages: Math.ceil(found.total / limit) },
			});
		}, guildHostAnswers.characters);
}
