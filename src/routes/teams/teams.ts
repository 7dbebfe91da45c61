// Team routes: list the teams I can see (mine and my guilds'), create (personal, or a guild's with team.manage), read, change, delete.
import { type App, text } from "../../core/index.js";
import type { Team, TeamService } from "../../services/teams.js";
import type { DomainRouteDependencies } from "../guards.js";
import { idParam } from "../params.js";
import { teamAnswers } from "./answers.js";

const teamName = text().trim().min(1).max(50);

export async function teamDetail(teams: TeamService, team: Team) {
	return { ...team, members: await teams.members(team.id) };
}

export function declareTeamRoutes(_app: App, { services, guards }: DomainRouteDependencies): void {
	const { teams, userCache } = services;
	const { authenticatedRoute, userHasRight, serverFound, teamFound, teamReadable, teamManageable } = guards;

	authenticatedRoute.declareRoute("GET", "/api/teams").handler(async ({ pickup }, response) => {
		const userId = pickup("user").id;
		// From the user cache: a change to one of the listed teams (or to the user's guilds) invalidates it.
		teamAnswers.list.send(response, { teams: await userCache.teams(userId, async () => teams.listForUser(userId)) });
	}, teamAnswers.list);

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
				teamAnswers.created.send(response, { team: { ...team, members: [] } });
			},
			teamAnswers.created,
			teamAnswers.nameTaken,
		);

	authenticatedRoute
		.declareRoute("GET", "/api/teams/{teamId}")
		.extract({ params: { teamId: idParam } })
		.presetCheck(teamFound, (pickup) => pickup("teamId"))
		.presetCheck(teamReadable, (pickup) => ({ team: pickup("team"), userId: pickup("user").id }))
		.handler(
			async ({ pickup }, response) =>
				teamAnswers.found.send(response, { team: await teamDetail(teams, pickup("team")) }),
			teamAnswers.found,
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
				if (change.status === "missing") return teamAnswers.notFound.send(response);
				if (change.status === "server-mismatch") return teamAnswers.holdsOtherServer.send(response);
				teamAnswers.updated.send(response, { team: await teamDetail(teams, change.team) });
			},
			teamAnswers.updated,
			teamAnswers.notFound,
			teamAnswers.nameTaken,
			teamAnswers.holdsOtherServer,
		);

	authenticatedRoute
		.declareRoute("DELETE", "/api/teams/{teamId}")
		.extract({ params: { teamId: idParam } })
		.presetCheck(teamFound, (pickup) => pickup("teamId"))
		.presetCheck(teamManageable, (pickup) => ({ team: pickup("team"), userId: pickup("user").id }))
		.handler(async ({ pickup }, response) => {
			await teams.remove(pickup("teamId"));
			teamAnswers.deleted.send(response);
		}, teamAnswers.deleted);
}
