// What the team routes answer, each said once: the routes send these values and declare them.
import { z } from "zod";
import { answer, refusal } from "../../core/index.js";
import { maxTeamSize } from "../../services/teams.js";
import { teamDetailSchema, teamListItemSchema } from "./schemas.js";

const teamBody = z.object({ team: teamDetailSchema });

export const teamAnswers = {
	list: answer(200, "team.list", z.object({ teams: z.array(teamListItemSchema) })),
	created: answer(201, "team.created", teamBody),
	found: answer(200, "team.found", teamBody),
	updated: answer(200, "team.updated", teamBody),
	deleted: answer(204, "team.deleted"),
	/** A team the caller may not read answers exactly like a missing one. */
	notFound: refusal(404, "team.notfound", "No such team."),
	/** A guild member without team.manage may read the team, so the 403 tells them nothing new. */
	rightMissing: refusal(403, "right.missing", "Your role in this guild does not grant team.manage."),
	memberAdded: answer(201, "team.member_added", teamBody),
	memberPresent: answer(200, "team.member_present", teamBody),
	memberRemoved: answer(204, "team.member_removed"),
	memberNotFound: refusal(404, "team.member_notfound", "This character is not in the team."),
	/** Sent by the database error mapping (teams_owner_name_unique, teams_guild_name_unique). */
	nameTaken: refusal(409, "team.name_taken", "A team of that name already exists."),
	holdsOtherServer: refusal(
		409,
		"team.server_mismatch",
		"The team holds characters of its current server: empty it before moving it.",
	),
	characterOnOtherServer: refusal(409, "team.server_mismatch", "The character is not on the team's server."),
	full: refusal(409, "team.full", `A team holds at most ${maxTeamSize} characters.`),
};
