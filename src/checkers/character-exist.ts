// Checker `characterExist`: loads a character by id with the user who owns it (one prepared query).
import { createChecker } from "../core/index.js";
import type { CharacterService } from "../services/characters.js";

export function createCharacterExist(characters: CharacterService) {
	return createChecker("characterExist").handler(async (characterId: number, output) => {
		const character = await characters.find(characterId);
		return character === undefined ? output("character.notfound", null) : output("character.exist", character);
	});
}
