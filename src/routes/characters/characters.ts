// Character routes: create in one of my game accounts, read (mine, or a guild fellow's with character.view),
// change, delete, bulk delete.
import { z } from "zod";
import { type App, text } from "../../core/index.js";
import type { FileRouteServices } from "../files/guards.js";
import type { DomainRouteDependencies } from "../guards.js";
import { idParam } from "../params.js";
import { characterAnswers } from "./answers.js";

const characterName = text().trim().min(2).max(50);
const characterLevel = z.number().int().min(1).max(200);

export function declareCharacterRoutes(
	_app: App,
	{ services, guards }: DomainRouteDependencies,
	{ pictures }: Pick<FileRouteServices, "pictures">,
): void {
	const { characters } = services;
	const { authenticatedRoute, gameAccountFound, gameAccountMine, classFound, serverFound } = guards;
	const { characterFound, characterReadable, characterWritable } = guards;

	authenticatedRoute
		.declareRoute("POST", "/api/characters")
		.extract({
			body: {
				accountId: idParam,
				name: characterName,
				level: characterLevel.default(1),
				classId: idParam,
				serverId: idParam,
			},
		})
		.presetCheck(gameAccountFound, (pickup) => pickup("accountId"))
		.presetCheck(gameAccountMine, (pickup) => ({ account: pickup("account"), userId: pickup("user").id }))
		.presetCheck(classFound, (pickup) => pickup("classId"))
		.presetCheck(serverFound, (pickup) => pickup("serverId"))
		.handler(
			async ({ pickup }, response) => {
				const values = {
					accountId: pickup("accountId"),
					name: pickup("name"),
					level: pickup("level"),
					classId: pickup("classId"),
					serverId: pickup("serverId"),
				};
				const character = await characters.create(values, pickup("user").id);
				characterAnswers.created.send(response, { character: { ...character, portrait: null } });
			},
			characterAnswers.created,
			characterAnswers.nameTaken,
		);

	authenticatedRoute
		.declareRoute("GET", "/api/characters/{characterId}")
		.extract({ params: { characterId: idParam } })
		.presetCheck(characterFound, (pickup) => pickup("characterId"))
		.presetCheck(characterReadable, (pickup) => ({ character: pickup("character"), userId: pickup("user").id }))
		.handler(async ({ pickup }, response) => {
			const character = pickup("character");
			characterAnswers.found.send(response, {
				character: { ...character, portrait: await pictures.portraitOf(character.id) },
			});
		}, characterAnswers.found);

	authenticatedRoute
		.declareRoute("PATCH", "/api/characters/{characterId}")
		.extract({
			params: { characterId: idParam },
			body: {
				accountId: idParam.optional(),
				name: characterName.optional(),
				level: characterLevel.optional(),
				classId: idParam.optional(),
				serverId: idParam.optional(),
			},
		})
		.presetCheck(characterFound, (pickup) => pickup("characterId"))
		.presetCheck(characterWritable, (pickup) => ({ character: pickup("character"), userId: pickup("user").id }))
		// Moving the character to another game account: that one must be mine too.
		.presetCheck(gameAccountFound, (pickup) => pickup("accountId"), { optional: true })
		.presetCheck(
			gameAccountMine,
			(pickup) => {
				const account = pickup("account");
				return account && { account, userId: pickup("user").id };
			},
			{ optional: true },
		)
		.presetCheck(classFound, (pickup) => pickup("classId"), { optional: true })
		.presetCheck(serverFound, (pickup) => pickup("serverId"), { optional: true })
		.handler(
			async ({ pickup }, response) => {
				const changes = {
					accountId: pickup("accountId"),
					name: pickup("name"),
					level: pickup("level"),
					classId: pickup("classId"),
					serverId: pickup("serverId"),
				};
				const change = await characters.update(pickup("character"), changes, pickup("user").id);
				if (change.status === "missing") return characterAnswers.notFound.send(response);
				if (change.status === "server-mismatch") return characterAnswers.inTeamOfItsServer.send(response);
				const portrait = await pictures.portraitOf(change.character.id);
				characterAnswers.updated.send(response, { character: { ...change.character, portrait } });
			},
			characterAnswers.updated,
			characterAnswers.notFound,
			characterAnswers.nameTaken,
			characterAnswers.inTeamOfItsServer,
		);

	authenticatedRoute
		.declareRoute("DELETE", "/api/characters/{characterId}")
		.extract({ params: { characterId: idParam } })
		.presetCheck(characterFound, (pickup) => pickup("characterId"))
		.presetCheck(characterWritable, (pickup) => ({ character: pickup("character"), userId: pickup("user").id }))
		.handler(async ({ pickup }, response) => {
			await characters.remove(pickup("character"));
			characterAnswers.deleted.send(response);
		}, characterAnswers.deleted);

	authenticatedRoute
		.declareRoute("POST", "/api/characters/bulk-delete")
		.extract({ body: { ids: z.array(idParam).max(100) } })
		.handler(async ({ pickup }, response) => {
			// Ids of other users' characters are skipped silently: the count is all the caller learns.
			const deleted = await characters.removeMany(pickup("user").id, [...new Set(pickup("ids"))]);
			characterAnswers.bulkDeleted.send(response, { deleted });
		}, characterAnswers.bulkDeleted);
}
