// Team member routes: put a character in a team (8 at most, all on the team's server) and take it out.
import { z } from "zod";
import { IHaveSentThis, type App, type Response } from "../../core/index.js";
import { fail, refusal } from "../../responses.js";
import { maxTeamSize } from "../../services/teams.js";
import type { DomainRouteDependencies } from "../domain-guards.js";
import { teamDetailSchema } from "../domain-schemas.js";
import { idParam } from "../params.js";
import { refuseTeam, teamDetail, teamRefusals } from "./teams.js";

const teamBody = z.object({ team: teamDetailSchema });

export function declareTeamMemberRoutes(app: App, { services, guards }: DomainRouteDependencies): void {
	const { teams } = services;
	const { authenticated, teamExist, teamEditable, characterExist } = guards;
	const teamNotFound = (response: Response) => fail(response, 404, "team.notfound", "No such team.");
	const characterNotFound = (response: Response) => fail(response, 404, "character.notfound", "No such character.");

	app.declareRoute("PUT", "/api/teams/{teamId}/members/{characterId}")
		.extract({ params: { teamId: idParam, characterId: idParam } })
		.process(authenticated, { pickup: ["user"] })
		.check(teamExist, { input: (pickup) => pickup("teamId"), result: "team.exist", indexing: "team", catch: teamNotFound }, refusal(404, "team.notfound"))
		.check(teamEditable, { input: (pickup) => ({ team: pickup("team"), userId: pickup("user").id }), result: "team.editable", catch: refuseTeam }, ...teamRefusals)
		.check(characterExist, { input: (pickup) => pickup("characterId"), result: "character.exist", indexing: "character", catch: characterNotFound }, refusal(404, "character.notfound"))
		.cut(
			async ({ pickup }, response) => {
				// A character the team may not hold (another user's, or an outsider's for a guild team) is not revealed either.
				if (!(await teams.mayHold(pickup("team"), pickup("character")))) characterNotFound(response);
			},
			[],
			refusal(404, "character.notfound"),
		)
		.handler(
			async ({ pickup }, response) => {
				const addition = await teams.addMember(pickup("teamId"), pickup("character"));
				switch (addition.status) {
					case "missing":
						return teamNotFound(response);
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
			refusal(404, "team.notfound"),
			refusal(409, ["team.server_mismatch", "team.full"]),
		);

	app.declareRoute("DELETE", "/api/teams/{teamId}/members/{characterId}")
		.extract({ params: { teamId: idParam, characterId: idParam } })
		.process(authenticated, { pickup: ["user"] })
		.check(teamExist, { input: (pickup) => pickup("teamId"), result: "team.exist", indexing: "team", catch: teamNotFound }, refusal(404, "team.notfound"))
		.check(teamEditable, { input: (pickup) => ({ team: pickup("team"), userId: pickup("user").id }), result: "team.editable", catch: refuseTeam }, ...teamRefusals)
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
