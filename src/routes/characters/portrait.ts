// A character's portrait: PUT uploads one picture (PNG, JPEG or WebP up to 2 MiB), re-encoded as 256 px and 64 px
// WebP in place of the previous one; DELETE removes it. The owner's only; anyone else is told there is no character.
import { z } from "zod";
import { answer, multipart, refusal } from "../../core/index.js";
import { pictureUpload } from "../../services/pictures.js";
import { uploadAnswers } from "../files/answers.js";
import type { FileGuards, FileRouteServices } from "../files/guards.js";
import { pictureSchema } from "../files/schemas.js";
import { answeringUploadFailures } from "../files/upload-failures.js";
import type { DomainRouteDependencies } from "../guards.js";
import { idParam } from "../params.js";
import { characterAnswers } from "./answers.js";

export const portraitAnswers = {
	saved: answer(200, "portrait.saved", z.object({ portrait: pictureSchema })),
	deleted: answer(204, "portrait.deleted"),
	none: refusal(404, "portrait.notfound", "This character has no portrait."),
};

export function declarePortraitRoutes(
	{ guards }: DomainRouteDependencies,
	{ pictures, uploadDirectory }: FileRouteServices,
	{ uploadAllowed }: FileGuards,
): void {
	const { authenticatedRoute, characterFound, characterWritable } = guards;

	// Ownership is checked before the body is read: another user's character costs no upload and no temporary file.
	const ownCharacterRoute = authenticatedRoute
		.declareAbstractRoute("ownCharacterRoute")
		.extract({ params: { characterId: idParam } })
		.presetCheck(characterFound, (pickup) => pickup("characterId"))
		.presetCheck(characterWritable, (pickup) => ({ character: pickup("character"), userId: pickup("user").id }))
		.build(["user", "session", "characterId", "character"]);

	ownCharacterRoute
		.declareAbstractRoute("ownCharacterUploadRoute")
		.presetCheck(uploadAllowed, (pickup) => pickup("user").id)
		.build(["user", "session", "characterId", "character"])
		.declareRoute("PUT", "/api/characters/{characterId}/portrait")
		.extract({
			multipart: multipart({
				files: { file: { types: pictureUpload.types, maxBytes: pictureUpload.maxBytes } },
				directory: uploadDirectory,
			}),
		})
		.handler(
			async ({ pickup }, response) => {
				const portrait = await answeringUploadFailures(response, characterAnswers.notFound, () =>
					pictures.setPortrait(pickup("character"), pickup("file")),
				);
				return portraitAnswers.saved.respond(response, { portrait });
			},
			portraitAnswers.saved,
			uploadAnswers.quotaExceeded,
			uploadAnswers.imageUnreadable,
			uploadAnswers.storageUnavailable,
			characterAnswers.notFound,
		);

	ownCharacterRoute.declareRoute("DELETE", "/api/characters/{characterId}/portrait").handler(
		async ({ pickup }, response) => {
			if (!(await pictures.removePortrait(pickup("character")))) return portraitAnswers.none.send(response);
			return portraitAnswers.deleted.respond(response);
		},
		portraitAnswers.deleted,
		portraitAnswers.none,
	);
}
