// Progression routes: a character's statuses (read, set), a team's ref × character matrix, a guild's per-member counts.
import type { App } from "../../core/index.js";
import type { DomainRouteDependencies } from "../guards.js";
import { idParam } from "../params.js";
import { progressionAnswers } from "./answers.js";
import { progressionKindSchema, progressionStatusSchema } from "./schemas.js";

export function declareProgressionRoutes(_app: App, { services, guards }: DomainRouteDependencies): void {
	const { progressions, teams } = services;
	const {
		authenticatedRoute,
		userHasRight,
		dungeonFound,
		characterFound,
		characterReadable,
		characterWritable,
		teamFound,
		teamReadable,
	} = guards;

	authenticatedRoute
		.declareRoute("GET", "/api/characters/{characterId}/progressions")
		.extract({
			params: { characterId: idParam },
			query: { kind: progressionKindSchema.optional(), status: progressionStatusSchema.optional() },
		})
		.presetCheck(characterFound, (pickup) => pickup("characterId"))
		.presetCheck(characterReadable, (pickup) => ({ character: pickup("character"), userId: pickup("user").id }))
		.handler(async ({ pickup }, response) => {
			const list = await progressions.listForCharacter(pickup("characterId"), {
				kind: pickup("kind"),
				status: pickup("status"),
			});
			progressionAnswers.list.send(response, { progressions: list });
		}, progressionAnswers.list);

	authenticatedRoute
		.declareRoute("PUT", "/api/characters/{characterId}/progressions/{kind}/{refId}")
		.extract({
			params: { characterId: idParam, kind: progressionKindSchema, refId: idParam },
			body: { status: progressionStatusSchema },
		})
		.presetCheck(characterFound, (pickup) => pickup("characterId"))
		.presetCheck(characterWritable, (pickup) => ({ character: pickup("character"), userId: pickup("user").id }))
		// Dungeons have a reference table; quests and achievements not yet, so any positive id is accepted for them.
		.presetCheck(dungeonFound, (pickup) => pickup("refId"), { skip: (pickup) => pickup("kind") !== "dungeon" })
		.handler(async ({ pickup }, response) => {
			const progression = await progressions.save(
				pickup("character"),
				pickup("kind"),
				pickup("refId"),
				pickup("status"),
			);
			progressionAnswers.saved.send(response, { progression });
		}, progressionAnswers.saved);

	authenticatedRoute
		.declareRoute("GET", "/api/teams/{teamId}/progressions")
		.extract({ params: { teamId: idParam }, query: { kind: progressionKindSchema.default("dungeon") } })
		.presetCheck(teamFound, (pickup) => pickup("teamId"))
		.presetCheck(teamReadable, (pickup) => ({ team: pickup("team"), userId: pickup("user").id }))
		.handler(async ({ pickup }, response) => {
			const members = await teams.members(pickup("teamId"));
			const rows = await progressions.teamMatrix(
				members.map((member) => member.id),
				pickup("kind"),
			);
			progressionAnswers.matrix.send(response, { kind: pickup("kind"), characters: members, rows });
		}, progressionAnswers.matrix);

	authenticatedRoute
		.declareRoute("GET", "/api/guilds/{guildId}/progressions/summary")
		.extract({ params: { guildId: idParam } })
		.process(userHasRight, { input: (pickup) => pickup("guildId"), options: { right: "character.view" } })
		.handler(
			async ({ pickup }, response) =>
				progressionAnswers.summary.send(response, { members: await progressions.guildSummary(pickup("guildId")) }),
			progressionAnswers.summary,
		);
}
