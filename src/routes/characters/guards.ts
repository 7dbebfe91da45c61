// The character checkers, built once per app, and their presets: how routes use them (expected result, refusal,
// floor key).
import { createCharacterAccess } from "../../checkers/character-access.js";
import { createCharacterExist } from "../../checkers/character-exist.js";
import { createPresetChecker } from "../../core/index.js";
import type { DomainServices } from "../../services/domain.js";
import { characterAnswers } from "./answers.js";

export function createCharacterGuards({ characters }: Pick<DomainServices, "characters">) {
	const characterExist = createCharacterExist(characters);
	const characterAccess = createCharacterAccess(characters);
	return {
		characterExist,
		characterAccess,
		/** Drops `character` (with its owner's userId). */
		characterFound: createPresetChecker(characterExist, {
			result: "character.exist",
			indexing: "character",
			catch: characterAnswers.notFound,
		}),
		/** The owner, or a guild fellow whose role grants character.view. */
		characterReadable: createPresetChecker(characterAccess, {
			result: ["character.owned", "character.visible"],
			options: { use: "read" },
			catch: characterAnswers.notFound,
		}),
		/** The owner only. */
		characterWritable: createPresetChecker(characterAccess, {
			result: "character.owned",
			options: { use: "write" },
			catch: characterAnswers.notFound,
		}),
	};
}

export type CharacterGuards = ReturnType<typeof createCharacterGuards>;
