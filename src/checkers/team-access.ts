// Checker `teamAccess`: what the caller may do with a team. A personal team is its owner's; a guild team is read by
// the guild's members and managed with `team.manage`.
import { createChecker } from "../core/index.js";
import type { Team, TeamService } from "../services/teams.js";

export type TeamUse = "read" | "manage";

/**
 * `team.editable` (may manage), `team.readable` (asked to read, may), `team.readonly` (asked to manage, may
 * only read: a 403, since the team is no secret to a member), `team.hidden` (nothing: routes answer 404).
 */
export function createTeamAccess(teams: TeamService) {
	return createChecker("teamAccess")
		.options({ use: "manage" as TeamUse })
		.handler(async (input: { team: Team; userId: number }, output, options) => {
			const access = await teams.access(input.team, input.userId);
			if (access === "none") return output("team.hidden", null);
			if (access === "manage") return output(options.use === "manage" ? "team.editable" : "team.readable", access);
			return options.use === "read" ? output("team.readable", access) : output("team.readonly", access);
		});
}
