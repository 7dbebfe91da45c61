// Team routes: list the teams I can see (mine and my guilds'), create (personal, or a guild's with team.manage), read, change, delete.
import { z } from "zod";
import { type App, IHaveSentThis, text } from "../../core/index.js";
import { fail, refusal } from "../../responses.js";
import type { Team, TeamService } from "../../services/teams.js";
import { type DomainRouteDependencies, teamNotFound } from "../domain-guards.js";
import { teamDetailSchema, teamListItemSchema } from "../domain-schemas.js";
import { idParam } from "../params.js";

const teamName = text().trim().min(1).max(50);
const teamBody = z.object({ team: teamDetailSchema });

export async function teamDetail(teams: TeamService, team: Team) {
	return { ...team, members: await teams.members(team.id) };
}

export function declareTeamRoutes(_app: App, { services, guards }: DomainRouteDependencies): void {
	const { teams } = services;
	const { authenticatedRoute, userHasRight, serverFound, teamFound, teamReadable, teamManageable } = guards;

	authenticatedRoute.declareRoute("GET", "/api/teams").handler(
		async ({ pickup }, response) => {
			response
				.code(200)
				.info("team.list")
				.send({ teams: await teams.listForUser(pickup("user").id) });
		},
		new IHaveSentThis(200, "team.list", z.object({ teams: z.array(teamListItemSchema) })),
	);

	authenticatedRoute
		.declareRoute("POST", "/api/teams")
		.extract({ body: { name: teamName, serverId: idParam, guildId: idParam.optional() } })
		// A guild team needs team.manage in that guild; a personal one nothing more.
		.process(userHasRight, { input: (pickup) => pickup("guildId"), optional: true, options: { right: "team.manage" } })
		.presetCheck(serverFound, (pickup) => pickup("serverId"))
		.handler(
			async ({ pickup }, response) => {
				const guildId = pickup("guildId") ?? null;
				const team = await teams.create({
					name: pickup("name"),
					serverId: pickup("serverId"),
					guildId,
					ownerUserId: guildId === null ? pickup("user").id : null,
				});
				response
					.code(201)
					.info("team.created")
					.send({ team: { ...team, members: [] } });
			},
			new IHaveSentThis(201, "team.created", teamBody),
			refusal(409, "team.name_taken"),
		);

	authenticatedRoute
		.declareRoute("GET", "/api/teams/{teamId}")
		.extract({ params: { teamId: idParam } })
		.presetCheck(teamFound, (pickup) => pickup("teamId"))
		.presetCheck(teamReadable, (pickup) => ({ team: pickup("team"), userId: pickup("user").id }))
		.handler(
			async ({ pickup }, response) => {
				response
					.code(200)
					.info("team.found")
					.send({ team: await teamDetail(teams, pickup("team")) });
			},
			new IHaveSentThis(200, "team.found", teamBody),
		);

	authenticatedRoute
		.declareRoute("PATCH", "/api/teams/{teamId}")
		.extract({ params: { teamId: idParam }, body: { name: teamName.optional(), serverId: idParam.optional() } })
		.presetCheck(teamFound, (pickup) => pickup("teamId"))
		.presetCheck(teamManageable, (pickup) => ({ team: pickup("team"), userId: pickup("user").id }))
		.presetCheck(serverFound, (pickup) => pickup("serverId"), { optional: true })
		.handler(
			async ({ pickup }, response) => {
				const change = await teams.update(pickup("teamId"), { name: pickup("name"), serverId: pickup("serverId") });
				if (change.status === "missing") return teamNotFound.send(response);
				if (change.status === "server-mismatch")
					return fail(
						response,
						409,
						"team.server_mismatch",
						"The team holds characters of its current server: empty it before moving it.",
					);
				response
					.code(200)
					.info("team.updated")
					.send({ team: await teamDetail(teams, change.team) });
			},
			new IHaveSentThis(200, "team.updated", teamBody),
			teamNotFound,
			refusal(409, ["team.name_taken", "team.server_mismatch"]),
		);

	authenticatedRoute
		.declareRoute("DELETE", "/api/teams/{teamId}")
		.extract({ params: { teamId: idParam } })
		.presetCheck(teamFound, (pickup) => pickup("teamId"))
		.presetCheck(teamManageable, (pickup) => ({ team: pickup("team"), userId: pickup("user").id }))
		.handler(async ({ pickup }, response) => {
			await teams.remove(pickup("teamId"));
			response.code(204).info("team.deleted").send();
		}, new IHaveSentThis(204, "team.deleted"));
}
