// Progression routes: a character's statuses (read, set), a team's ref × character matrix, a guild's per-member counts.
import { z } from "zod";
import { IHaveSentThis, type App, type Response } from "../../core/index.js";
import { fail, refusal } from "../../responses.js";
import type { DomainRouteDependencies } from "../domain-guards.js";
import { memberProgressionSummarySchema, progressionKindSchema, progressionMatrixSchema, progressionSchema, progressionStatusSchema } from "../domain-schemas.js";
import { idParam } from "../params.js";
import { refuseTeam, teamRefusals } from "../teams/teams.js";

export function declareProgressionRoutes(app: App, { services, guards }: DomainRouteDependencies): void {
	const { progressions, teams } = services;
	const { authenticated, userHasRight, characterExist, characterOwned, teamExist, teamEditable, dungeonExist } = guards;
	const characterNotFound = (response: Response) => fail(response, 404, "character.notfound", "No such character.");

	app.declareRoute("GET", "/api/characters/{characterId}/progressions")
		.extract({ params: { characterId: idParam }, query: { kind: progressionKindSchema.optional(), status: progressionStatusSchema.optional() } })
		.process(authenticated, { pickup: ["user"] })
		.check(characterExist, { input: (pickup) => pickup("characterId"), result: "character.exist", indexing: "character", catch: characterNotFound }, refusal(404, "character.notfound"))
		.check(
			characterOwned,
			{
				input: (pickup) => ({ character: pickup("character"), userId: pickup("user").id }),
				options: { access: "read" },
				result: ["character.owned", "character.visible"],
				catch: characterNotFound,
			},
			refusal(404, "character.notfound"),
		)
		.handler(
			async ({ pickup }, response) => {
				const list = await progressions.listForCharacter(pickup("characterId"), { kind: pickup("kind"), status: pickup("status") });
				response.code(200).info("progression.list").send({ progressions: list });
			},
			new IHaveSentThis(200, "progression.list", z.object({ progressions: z.array(progressionSchema) })),
		);

	app.declareRoute("PUT", "/api/characters/{characterId}/progressions/{kind}/{refId}")
		.extract({ params: { characterId: idParam, kind: progressionKindSchema, refId: idParam }, body: { status: progressionStatusSchema } })
		.process(authenticated, { pickup: ["user"] })
		.check(characterExist, { input: (pickup) => pickup("characterId"), result: "character.exist", indexing: "character", catch: characterNotFound }, refusal(404, "character.notfound"))
		.check(
			characterOwned,
			{ input: (pickup) => ({ character: pickup("character"), userId: pickup("user").id }), result: "character.owned", catch: characterNotFound },
			refusal(404, "character.notfound"),
		)
		// Dungeons have a reference table; quests and achievements not yet, so any positive id is accepted for them.
		.check(
			dungeonExist,
			{
				input: (pickup) => pickup("refId"),
				skip: (pickup) => pickup("kind") !== "dungeon",
				result: "dungeon.exist",
				catch: (response) => fail(response, 404, "dungeon.notfound", "No such dungeon."),
			},
			refusal(404, "dungeon.notfound"),
		)
		.handler(
			async ({ pickup }, response) => {
				const progression = await progressions.save(pickup("characterId"), pickup("kind"), pickup("refId"), pickup("status"));
				response.code(200).info("progression.saved").send({ progression });
			},
			new IHaveSentThis(200, "progression.saved", z.object({ progression: progressionSchema })),
		);

	app.declareRoute("GET", "/api/teams/{teamId}/progressions")
		.extract({ params: { teamId: idParam }, query: { kind: progressionKindSchema.default("dungeon") } })
		.process(authenticated, { pickup: ["user"] })
		.check(
			teamExist,
			{ input: (pickup) => pickup("teamId"), result: "team.exist", indexing: "team", catch: (response) => fail(response, 404, "team.notfound", "No such team.") },
			refusal(404, "team.notfound"),
		)
		.check(
			teamEditable,
			{ input: (pickup) => ({ team: pickup("team"), userId: pickup("user").id }), options: { use: "read" }, result: "team.readable", catch: refuseTeam },
			...teamRefusals,
		)
		.handler(
			async ({ pickup }, response) => {
				const members = await teams.members(pickup("teamId"));
				const rows = await progressions.teamMatrix(
					members.map((member) => member.id),
					pickup("kind"),
				);
				response.code(200).info("progression.matrix").send({ kind: pickup("kind"), characters: members, rows });
			},
			new IHaveSentThis(200, "progression.matrix", progressionMatrixSchema),
		);

	app.declareRoute("GET", "/api/guilds/{guildId}/progressions/summary")
		.extract({ params: { guildId: idParam } })
		.process(authenticated, { pickup: ["user"] })
		.process(userHasRight, { input: (pickup) => pickup("guildId"), options: { right: "character.view" } })
		.handler(
			async ({ pickup }, response) => {
				response.code(200).info("progression.summary").send({ members: await progressions.guildSummary(pickup("guildId")) });
			},
			new IHaveSentThis(200, "progression.summary", z.object({ members: z.array(memberProgressionSummarySchema) })),
		);
}
