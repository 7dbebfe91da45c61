// The file checkers, built once per app, and their presets; and the services the file, portrait and emblem routes
// receive.
import { createFileAccess } from "../../checkers/file-access.js";
import { createFileExist } from "../../checkers/file-exist.js";
import { createUploadAllowed } from "../../checkers/upload-allowed.js";
import { createPresetChecker } from "../../core/index.js";
import type { CharacterService } from "../../services/characters.js";
import type { FileService } from "../../services/files.js";
import type { GuildService } from "../../services/guilds.js";
import type { PictureService } from "../../services/pictures.js";
import type { Clock } from "../../services/settings.js";
import type { UploadRateLimit } from "../../services/upload-rate-limit.js";
import type { UrlSigner } from "../../storage/index.js";
import { fileAnswers, uploadAnswers } from "./answers.js";

/** What the file routes and the upload routes of other resources receive (built in app.ts). */
export interface FileRouteServices {
	files: FileService;
	pictures: PictureService;
	uploads: UploadRateLimit;
	/**
	 * Verifies the filesystem storage's signed URLs (the key derived from SECRETS_KEY, as the storage signs them). Made
	 * on first use: an app built only to list its routes (the OpenAPI script) needs no key.
	 */
	signer: () => UrlSigner;
	now: Clock;
	/** Where uploads wait while they are received (multipart's `directory`). */
	uploadDirectory: string;
}

export function createFileGuards(
	{ files, uploads }: Pick<FileRouteServices, "files" | "uploads">,
	{ characters, guilds }: { characters: CharacterService; guilds: GuildService },
) {
	const fileAccess = createFileAccess({
		characterOwner: async (characterId) => (await characters.find(characterId))?.userId,
		visibleThroughGuild: (viewerId, ownerId) => characters.visibleThroughGuild(viewerId, ownerId),
		isMember: async (guildId, userId) => (await guilds.membership(guildId, userId)) !== undefined,
	});
	return {
		/** Drops `file`. */
		fileFound: createPresetChecker(createFileExist(files), {
			result: "file.exist",
			indexing: "file",
			catch: fileAnswers.notFound,
		}),
		/** Whoever may read what the file belongs to; anyone else is told there is no such file. */
		fileReadable: createPresetChecker(fileAccess, { result: "file.readable", catch: fileAnswers.notFound }),
		/** Counts the upload (UPLOADS_PER_MINUTE); past the limit, 429 with Retry-After. Used before the body is read. */
		uploadAllowed: createPresetChecker(
			createUploadAllowed(uploads),
			{
				result: "upload.allowed",
				catch: (response, _info, retryAfterSeconds) => {
					response.header("retry-after", String(retryAfterSeconds));
					uploadAnswers.rateLimited.send(response);
				},
			},
			uploadAnswers.rateLimited,
		),
	};
}

export type FileGuards = ReturnType<typeof createFileGuards>;
