// Character routes: create in one of my accounts, read (mine, or a guild fellow's with character.view), change, delete, bulk delete.
import { z } from "zod";
import { type App, IHaveSentThis, text } from "../../core/index.js";
import { fail, refusal } from "../../responses.js";
import { characterNotFound, type DomainRouteDependencies } from "../domain-guards.js";
import { characterSchema } from "../domain-schemas.js";
import { idParam } from "../params.js";

const characterName = text().trim().min(2).max(50);
const characterLevel = z.number().int().min(1).max(200);
const characterBody = z.object({ character: characterSchema });

export function declareCharacterRoutes(_app: App, { services, guards }: DomainRouteDependencies): void {
	const { characters } = services;
	const { authenticatedRoute, accountFound, accountMine, classFound, serverFound } = guards;
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
		.presetCheck(accountFound, (pickup) => pickup("accountId"))
		.presetCheck(accountMine, (pickup) => ({ account: pickup("account"), userId: pickup("user").id }))
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
				response.code(201).info("character.created").send({ character });
			},
			new IHaveSentThis(201, "character.created", characterBody),
			refusal(409, "character.name_taken"),
		);

	authenticatedRoute
		.declareRoute("GET", "/api/characters/{characterId}")
		.extract({ params: { characterId: idParam } })
		.presetCheck(characterFound, (pickup) => pickup("characterId"))
		.presetCheck(characterReadable, (pickup) => ({ character: pickup("character"), userId: pickup("user").id }))
		.handler(
			({ pickup }, response) =>
				response
					.code(200)
					.info("character.found")
					.send({ character: pickup("character") }),
			new IHaveSentThis(200, "character.found", characterBody),
		);

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
		// Moving the character to another account: that account must be mine too.
		.presetCheck(accountFound, (pickup) => pickup("accountId"), { optional: true })
		.presetCheck(
			accountMine,
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
				if (change.status === "missing") return characterNotFound.send(response);
				if (change.status === "server-mismatch")
					return fail(
						response,
						409,
						"team.server_mismatch",
						"The character is in a team of its current server: take it out of the team first.",
					);
				response.code(200).info("character.updated").send({ character: change.character });
			},
			new IHaveSentThis(200, "character.updated", characterBody),
			characterNotFound,
			refusal(409, ["character.name_taken", "team.server_mismatch"]),
		);

	authenticatedRoute
		.declareRoute("DELETE", "/api/characters/{characterId}")
		.extract({ params: { characterId: idParam } })
		.presetCheck(characterFound, (pickup) => pickup("characterId"))
		.presetCheck(characterWritable, (pickup) => ({ character: pickup("character"), userId: pickup("user").id }))
		.handler(async ({ pickup }, response) => {
			await characters.remove(pickup("characterId"));
			response.code(204).info("character.deleted").send();
		}, new IHaveSentThis(204, "character.deleted"));

	authenticatedRoute
		.declareRoute("POST", "/api/characters/bulk-delete")
		.extract({ body: { ids: z.array(idParam).max(100) } })
		.handler(
			async ({ pickup }, response) => {
				// Ids of other users' characters are skipped silently: the count is all the caller learns.
				const deleted = await characters.removeMany(pickup("user").id, [...new Set(pickup("ids"))]);
				response.code(200).info("character.bulk_deleted").send({ deleted });
			},
			new IHaveSentThis(200, "character.bulk_deleted", z.object({ deleted: z.number() })),
		);
}
