// Team member routes: put a character in a team (8 at most, all on the team's server) and take it out.
import type { App } from "../../core/index.js";
import { characterAnswers } from "../characters/answers.js";
import type { DomainRouteDependencies } from "../guards.js";
import { idParam } from "../params.js";
import { teamAnswers } from "./answers.js";
import { teamDetail } from "./teams.js";

export function declareTeamMemberRoutes(_app: App, { services, guards }: DomainRouteDependencies): void {
	const { teams } = services;
	const { authenticatedRoute, teamFound, teamManageable, characterFound } = guards;

	authenticatedRoute
		.declareRoute("PUT", "/api/teams/{teamId}/members/{characterId}")
		.extract({ params: { teamId: idParam, characterId: idParam } })
		.presetCheck(teamFound, (pickup) => pickup("teamId"))
		.presetCheck(teamManageable, (pickup) => ({ team: pickup("team"), userId: pickup("user").id }))
		.presetCheck(characterFound, (pickup) => pickup("characterId"))
		.cut(
			async ({ pickup }, response) => {
				// A character the team may not hold (another user's, or an outsider's for a guild team) is not revealed either.
				if (!(await teams.mayHold(pickup("team"), pickup("character")))) characterAnswers.notFound.send(response);
			},
			[],
			characterAnswers.notFound,
		)
		.handler(
			async ({ pickup }, response) => {
				const addition = await teams.addMember(pickup("teamId"), pickup("character"));
				switch (addition.status) {
					case "missing":
						return teamAnswers.notFound.send(response);
					case "server-mismatch":
						return teamAnswers.characterOnOtherServer.send(response);
					case "full":
						return teamAnswers.full.send(response);
				}
				const team = await teamDetail(teams, pickup("team"));
				if (addition.status === "added") teamAnswers.memberAdded.send(response, { team });
				teamAnswers.memberPresent.send(response, { team });
			},
			teamAnswers.memberAdded,
			teamAnswers.memberPresent,
			teamAnswers.notFound,
			teamAnswers.characterOnOtherServer,
			teamAnswers.full,
		);

	authenticatedRoute
		.declareRoute("DELETE", "/api/teams/{teamId}/members/{characterId}")
		.extract({ params: { teamId: idParam, characterId: idParam } })
		.presetCheck(teamFound, (pickup) => pickup("teamId"))
		.presetCheck(teamManageable, (pickup) => ({ team: pickup("team"), userId: pickup("user").id }))
		.handler(
			async ({ pickup }, response) => {
				if (!(await teams.removeMember(pickup("teamId"), pickup("characterId"))))
					teamAnswers.memberNotFound.send(response);
				teamAnswers.memberRemoved.send(response);
			},
			teamAnswers.memberRemoved,
			teamAnswers.memberNotFound,
		);
}
