// Checker `fileAccess`: whether the caller may read a file, by the rights on what it belongs to: a portrait as its
// character (the owner, or a guild fellow with character.view), an emblem as its guild (any member), anything else
// its owner only.
import { createChecker } from "../core/index.js";
import type { FileRecord } from "../services/files.js";

export interface FileAccessDependencies {
	/** The character's owner, for a portrait; undefined once the character is gone. */
	characterOwner(characterId: number): Promise<number | undefined>;
	/** Whether `viewerId` may read `ownerId`'s characters through a guild they share. */
	visibleThroughGuild(viewerId: number, ownerId: number): Promise<boolean>;
	/** Whether `userId` is a member of the guild, whatever their role. */
	isMember(guildId: number, userId: number): Promise<boolean>;
}

/** `file.readable` for a caller with the rights of the file's subject, `file.unreadable` otherwise (routes answer 404). */
export function createFileAccess(dependencies: FileAccessDependencies) {
	return createChecker("fileAccess").handler(async (input: { file: FileRecord; userId: number }, output) => {
		const { file, userId } = input;
		let readable: boolean;
		if (file.characterId !== null) {
			const ownerId = await dependencies.characterOwner(file.characterId);
			readable =
				ownerId !== undefined && (ownerId === userId || (await dependencies.visibleThroughGuild(userId, ownerId)));
		} else if (file.guildId !== null) {
			readable = await dependencies.isMember(file.guildId, userId);
		} else {
			readable = file.ownerId === userId;
		}
		return readable ? output("file.readable", null) : output("file.unreadable", null);
	});
}
