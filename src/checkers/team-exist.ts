// Checker `teamExist`: loads a team by id (personal or guild; `teamAccess` decides what the caller may do with it).
import { createChecker } from "../core/index.js";
import type { TeamService } from "../services/teams.js";

export function createTeamExist(teams: TeamService) {
	return createChecker("teamExist").handler(async (teamId: number, output) => {
		const team = await teams.find(teamId);
		return team === undefined ? output("team.notfound", null) : output("team.exist", team);
	});
}
