// Checker `characterAccess`: whether the caller may use a character. Writes are the owner's; reads also a guild
// fellow's whose role grants `character.view`.
import { createChecker } from "../core/index.js";
import type { CharacterService } from "../services/characters.js";

export type CharacterUse = "read" | "write";

/**
 * `character.owned` for the owner, `character.visible` for a guild reader (asked to read),
 * `character.notowned` otherwise (routes answer 404).
 */
export function createCharacterAccess(characters: CharacterService) {
	return createChecker("characterAccess")
		.options({ use: "write" as CharacterUse })
		.handler(async (input: { character: { userId: number }; userId: number }, output, options) => {
			if (input.character.userId === input.userId) return output("character.owned", "owner" as const);
			if (options.use === "read" && (await characters.visibleThroughGuild(input.userId, input.character.userId))) {
				return output("character.visible", "guild" as const);
			}
			return output("character.notowned", null);
		});
}
