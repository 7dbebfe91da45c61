// The `userHasRight` process: the caller's membership of a guild (the input), and whether their role grants a permission.
import { createProcess } from "../core/index.js";
import type { IdentityServices } from "../services/identity.js";
import { type Permission, roleGrants } from "../services/permissions.js";
import { userHasRightAnswers } from "./answers.js";
import type { Authenticated } from "./authenticated.js";

/**
 * The caller's membership of the guild given as input. Runs `authenticated` itself (once per request:
 * a route that already did reuses its session). `right: null` only requires membership. A guild the
 * caller is not in answers exactly like a guild that does not exist: ids reveal nothing.
 */
export function createUserHasRight({ guilds }: Pick<IdentityServices, "guilds">, authenticated: Authenticated) {
	const { guildNotFound, rightMissing } = userHasRightAnswers;
	return createProcess("userHasRight")
		.options({ right: null as Permission | null })
		.input<number>()
		.process(authenticated, { pickup: ["user"] })
		.cut(
			async ({ pickup }, response) => {
				const user = pickup("user");
				const membership = await guilds.membership(pickup("input"), user.id);
				if (membership === undefined) return guildNotFound.send(response);
				const { right } = pickup("options");
				if (right !== null && !roleGrants({ kind: membership.roleKind, permissions: membership.permissions }, right)) {
					return rightMissing.send(response, `Your role in this guild does not grant ${right}.`);
				}
				return { membership };
			},
			["membership"],
			guildNotFound,
			// Only uses that ask for a right may be refused one.
			rightMissing.forOptions((options: { right: Permission | null }) => options.right !== null),
		)
		.build(["membership"]);
}

export type UserHasRight = ReturnType<typeof createUserHasRight>;
