// Checker `characterOwned`: writes are the owner's; reads also a guild fellow's whose role grants `character.view`.
import { createChecker } from "../core/index.js";
import type { CharacterService } from "../services/characters.js";

export type CharacterAccess = "read" | "write";

/** `character.owned` for the owner, `character.visible` for a guild reader, `character.notowned` otherwise (routes answer 404). */
export function createCharacterOwned(characters: CharacterService) {
	return createChecker("characterOwned")
		.options({ access: "write" as CharacterAccess })
		.handler(async (input: { character: { userId: number }; userId: number }, output, options) => {
			if (input.character.userId === input.userId) return output("character.owned", "owner" as const);
			if (options.access === "read" && (await characters.visibleThroughGuild(input.userId, input.character.userId))) {
				return output("character.visible", "guild" as const);
			}
			return output("character.notowned", null);
		});
}
