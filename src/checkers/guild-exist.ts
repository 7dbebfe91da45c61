// Checker `guildExist`: loads a guild by id (the one asked for, or the one an invitation points to).
import { createChecker } from "../core/index.js";
import type { GuildService } from "../services/guilds.js";

export function createGuildExist(guilds: GuildService) {
	return createChecker("guildExist").handler(async (guildId: number, output) => {
		const guild = await guilds.find(guildId);
		return guild === undefined ? output("guild.notfound", null) : output("guild.exist", guild);
	});
}
