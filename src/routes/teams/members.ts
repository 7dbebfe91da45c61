// Team member routes: put a character in a team (8 at most, all on the team's server) and take it out.
import { z } from "zod";
import { type App, IHaveSentThis } from "../../core/index.js";
import { fail, refusal } from "../../responses.js";
import { maxTeamSize } from "../../services/teams.js";
import { characterNotFound, type DomainRouteDependencies, teamNotFound } from "../domain-guards.js";
import { teamDetailSchema } from "../domain-schemas.js";
import { idParam } from "../params.js";
import { teamDetail } from "./teams.js";

const teamBody = z.object({ team: teamDetailSchema });

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
				if (!(await teams.mayHold(pickup("team"), pickup("character")))) characterNotFound.send(response);
			},
			[],
			characterNotFound,
		)
		.handler(
			async ({ pickup }, response) => {
				const addition = await teams.addMember(pickup("teamId"), pickup("character"));
				switch (addition.status) {
					case "missing":
						return teamNotFound.send(response);
					case "server-mismatch":
						return fail(response, 409, "team.server_mismatch", "The character is not on the team's server.");
					case "full":
						return fail(response, 409, "team.full", `A team holds at most ${maxTeamSize} characters.`);
				}
				const team = await teamDetail(teams, pickup("team"));
				if (addition.status === "added") response.code(201).info("team.member_added").send({ team });
				response.code(200).info("team.member_present").send({ team });
			},
			new IHaveSentThis(201, "team.member_added", teamBody),
			new IHaveSentThis(200, "team.member_present", teamBody),
			teamNotFound,
			refusal(409, ["team.server_mismatch", "team.full"]),
		);

	authenticatedRoute
		.declareRoute("DELETE", "/api/teams/{teamId}/members/{characterId}")
		.extract({ params: { teamId: idParam, characterId: idParam } })
		.presetCheck(teamFound, (pickup) => pickup("teamId"))
		.presetCheck(teamManageable, (pickup) => ({ team: pickup("team"), userId: pickup("user").id }))
		.handler(
			async ({ pickup }, response) => {
				if (!(await teams.removeMember(pickup("teamId"), pickup("characterId")))) {
					fail(response, 404, "team.member_notfound", "This character is not in the team.");
				}
				response.code(204).info("team.member_removed").send();
			},
			new IHaveSentThis(204, "team.member_removed"),
			refusal(404, "team.member_notfound"),
		);
}
