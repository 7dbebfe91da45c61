// A guild's emblem: PUT uploads one picture (PNG, JPEG or WebP up to 2 MiB), re-encoded as 256 px and 64 px WebP in
// place of the previous one; DELETE removes it. Both need the right `guild.manage`; every member may see it.
import { z } from "zod";
import { answer, multipart, refusal } from "../../core/index.js";
import { pictureUpload } from "../../services/pictures.js";
import { uploadAnswers } from "../files/answers.js";
import type { FileGuards, FileRouteServices } from "../files/guards.js";
import { pictureSchema } from "../files/schemas.js";
import { answeringUploadFailures } from "../files/upload-failures.js";
import type { IdentityRouteDependencies } from "../guards.js";
import { idParam } from "../params.js";
import { guildAnswers } from "./answers.js";

export const emblemAnswers = {
	saved: answer(200, "emblem.saved", z.object({ emblem: pictureSchema })),
	deleted: answer(204, "emblem.deleted"),
	none: refusal(404, "emblem.notfound", "This guild has no emblem."),
};

export function declareEmblemRoutes(
	{ guards }: IdentityRouteDependencies,
	{ pictures, uploadDirectory }: FileRouteServices,
	{ uploadAllowed }: FileGuards,
): void {
	const { authenticatedRoute, userHasRight } = guards;

	// The right is checked before the body is read: a member without it costs no upload and no temporary file.
	const guildManagerRoute = authenticatedRoute
		.declareAbstractRoute("guildManagerRoute")
		.extract({ params: { guildId: idParam } })
		.process(userHasRight, {
			input: (pickup) => pickup("guildId"),
			options: { right: "guild.manage" },
			pickup: ["membership"],
		})
		.build(["user", "session", "guildId", "membership"]);

	guildManagerRoute
		.declareAbstractRoute("guildManagerUploadRoute")
		.presetCheck(uploadAllowed, (pickup) => pickup("user").id)
		.build(["user", "session", "guildId", "membership"])
		.declareRoute("PUT", "/api/guilds/{guildId}/emblem")
		.extract({
			multipart: multipart({
				files: { file: { types: pictureUpload.types, maxBytes: pictureUpload.maxBytes } },
				directory: uploadDirectory,
			}),
		})
		.handler(
			async ({ pickup }, response) => {
				const emblem = await answeringUploadFailures(response, guildAnswers.notFound, () =>
					pictures.setEmblem(pickup("guildId"), pickup("user").id, pickup("file")),
				);
				return emblemAnswers.saved.respond(response, { emblem });
			},
			emblemAnswers.saved,
			uploadAnswers.quotaExceeded,
			uploadAnswers.imageUnreadable,
			uploadAnswers.storageUnavailable,
			guildAnswers.notFound,
		);

	guildManagerRoute.declareRoute("DELETE", "/api/guilds/{guildId}/emblem").handler(
		async ({ pickup }, response) => {
			if (!(await pictures.removeEmblem(pickup("guildId")))) return emblemAnswers.none.send(response);
			return emblemAnswers.deleted.respond(response);
		},
		emblemAnswers.deleted,
		emblemAnswers.none,
	);
}
