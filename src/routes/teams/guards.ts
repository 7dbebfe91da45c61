// The team checkers, built once per app, and their presets: how routes use them (expected result, refusal,
// floor key).
import { createTeamAccess } from "../../checkers/team-access.js";
import { createTeamExist } from "../../checkers/team-exist.js";
import { createPresetChecker, type Response } from "../../core/index.js";
import type { DomainServices } from "../../services/domain.js";
import { teamAnswers } from "./answers.js";

const { notFound, rightMissing } = teamAnswers;

/** A guild member without team.manage may read the team, so a 403 tells them nothing new; anyone else gets the 404. */
function refuseTeam(response: Response<typeof notFound | typeof rightMissing>, info: string): never {
	if (info === "team.readonly") rightMissing.send(response);
	return notFound.send(response);
}

export function createTeamGuards({ teams }: Pick<DomainServices, "teams">) {
	const teamExist = createTeamExist(teams);
	const teamAccess = createTeamAccess(teams);
	return {
		teamExist,
		teamAccess,
		/** Drops `team`. */
		teamFound: createPresetChecker(teamExist, { result: "team.exist", indexing: "team", catch: notFound }),
		teamReadable: createPresetChecker(
			teamAccess,
			// Whoever may not read the team does not learn it exists.
			{ result: "team.readable", options: { use: "read" }, catch: notFound },
		),
		teamManageable: createPresetChecker(
			teamAccess,
			{ result: "team.editable", options: { use: "manage" }, catch: refuseTeam },
			notFound,
			rightMissing,
		),
	};
}

export type TeamGuards = ReturnType<typeof createTeamGuards>;
