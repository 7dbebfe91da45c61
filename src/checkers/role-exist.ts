// Checker `roleExist`: a role of a given guild; a role id of another guild is "not found", never borrowed.
import { createChecker } from "../core/index.js";
import type { GuildService } from "../services/guilds.js";

export function createRoleExist(guilds: GuildService) {
	return createChecker("roleExist").handler(async (input: { guildId: number; roleId: number }, output) => {
		const role = await guilds.findRole(input.guildId, input.roleId);
		return role === undefined ? output("role.notfound", null) : output("role.exist", role);
	});
}
