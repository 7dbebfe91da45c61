// The reference data checkers (classes, servers, dungeons), built once per app, and their presets: the refusal of
// an id the reference data does not hold.
import { createClassExist } from "../../checkers/class-exist.js";
import { createDungeonExist } from "../../checkers/dungeon-exist.js";
import { createServerExist } from "../../checkers/server-exist.js";
import { createPresetChecker } from "../../core/index.js";
import type { Database } from "../../db/index.js";
import { referenceNotFound } from "./answers.js";

export function createReferenceGuards(db: Database) {
	const classExist = createClassExist(db);
	const serverExist = createServerExist(db);
	const dungeonExist = createDungeonExist(db);
	return {
		classExist,
		serverExist,
		dungeonExist,
		classFound: createPresetChecker(classExist, { result: "class.exist", catch: referenceNotFound.class }),
		serverFound: createPresetChecker(serverExist, { result: "server.exist", catch: referenceNotFound.server }),
		dungeonFound: createPresetChecker(dungeonExist, { result: "dungeon.exist", catch: referenceNotFound.dungeon }),
	};
}

export type ReferenceGuards = ReturnType<typeof createReferenceGuards>;
