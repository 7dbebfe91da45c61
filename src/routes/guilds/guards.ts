// The guild and role checkers, built once per app, and their presets: how routes use them (expected result,
// refusal, floor key).
import { createGuildExist } from "../../checkers/guild-exist.js";
import { createRoleExist } from "../../checkers/role-exist.js";
import { createPresetChecker } from "../../core/index.js";
import type { IdentityServices } from "../../services/identity.js";
import { roleAnswers } from "./answers.js";

export function createGuildGuards({ guilds }: Pick<IdentityServices, "guilds">) {
	const roleExist = createRoleExist(guilds);
	return {
		/** Checked by the guild routes with their own catch (the invitations have their own preset of it). */
		guildExist: createGuildExist(guilds),
		roleExist,
		/** A role of the route's guild, dropped as `role`; a role of another guild is as unknown as a missing one. */
		roleFound: createPresetChecker(roleExist, { result: "role.exist", indexing: "role", catch: roleAnswers.notFound }),
	};
}

export type GuildGuards = ReturnType<typeof createGuildGuards>;
