// Guild member routes: list members, invite by email, remove (or leave), change a member's role.
import { z } from "zod";
import { type App, type Response, storableTextCheck } from "../../core/index.js";
import type { MemberChange } from "../../services/guilds.js";
import type { IdentityRouteDependencies } from "../guards.js";
import { idParam } from "../params.js";
import { memberAnswers } from "./answers.js";

const { notFound, ownerOnlyChange, lastOwner } = memberAnswers;

/** Sends the refusal of a member change that was not made: a route that changes members declares all three. */
function refuseMemberChange(
	response: Response<typeof notFound | typeof ownerOnlyChange | typeof lastOwner>,
	change: MemberChange,
): undefined {
	switch (change.status) {
		case "not-member":
			return notFound.send(response);
		case "owner-only":
			return ownerOnlyChange.send(response);
		case "last-owner":
			return lastOwner.send(response);
	}
}

export function declareMemberRoutes(_app: App, { services, guards }: IdentityRouteDependencies): void {
	const { guilds, invitations } = services;
	const { authenticatedRoute, userHasRight, userExist, roleFound } = guards;

	authenticatedRoute
		.declareRoute("GET", "/api/guilds/{guildId}/members")
		.extract({ params: { guildId: idParam } })
		.process(userHasRight, { input: (pickup) => pickup("guildId") })
		.handler(
			async ({ pickup }, response) =>
				memberAnswers.list.send(response, { members: await guilds.members(pickup("guildId")) }),
			memberAnswers.list,
		);

	authenticatedRoute
		.declareRoute("POST", "/api/guilds/{guildId}/invitations")
		.extract({
			params: { guildId: idParam },
			// Without a role, the default role of the guild's settings (its `member` role unless changed).
			body: { email: z.email().max(320).check(storableTextCheck), roleId: idParam.optional() },
		})
		.process(userHasRight, {
			input: (pickup) => pickup("guildId"),
			options: { right: "member.invite" },
			pickup: ["membership"],
		})
		.presetCheck(
			roleFound,
			(pickup) => {
				const roleId = pickup("roleId");
				return roleId === undefined ? undefined : { guildId: pickup("guildId"), roleId };
			},
			{ optional: true },
		)
		.handler(
			async ({ pickup }, response) => {
				const created = await invitations.create(pickup("membership"), {
					email: pickup("email"),
					role: pickup("role"),
				});
				if (created.status !== "created") {
					if (created.status === "owner-only") memberAnswers.ownerOnlyInvite.send(response);
					return memberAnswers.alreadyMember.send(response);
				}
				// The token is also mailed; answering it lets the inviter share it through another channel.
				memberAnswers.invitationCreated.send(response, {
					invitationId: created.invitationId,
					token: created.token,
					expiresAt: created.expiresAt.toISOString(),
					roleId: created.roleId,
				});
			},
			memberAnswers.invitationCreated,
			memberAnswers.ownerOnlyInvite,
			memberAnswers.alreadyMember,
		);

	authenticatedRoute
		.declareRoute("DELETE", "/api/guilds/{guildId}/members/{userId}")
		.extract({ params: { guildId: idParam, userId: idParam } })
		.process(userHasRight, {
			input: (pickup) => pickup("guildId"),
			// Leaving needs no right; removing someone else needs member.remove.
			options: (pickup) => ({ right: pickup("userId") === pickup("user").id ? null : ("member.remove" as const) }),
			pickup: ["membership"],
		})
		.check(userExist, {
			input: (pickup) => pickup("userId"),
			result: "user.exist",
			catch: memberAnswers.userNotFound,
		})
		.handler(
			async ({ pickup }, response) => {
				refuseMemberChange(
					response,
					await guilds.removeMember(pickup("guildId"), pickup("userId"), pickup("membership")),
				);
				memberAnswers.removed.send(response);
			},
			memberAnswers.removed,
			notFound,
			ownerOnlyChange,
			lastOwner,
		);

	authenticatedRoute
		.declareRoute("PUT", "/api/guilds/{guildId}/members/{userId}/role")
		.extract({ params: { guildId: idParam, userId: idParam }, body: { roleId: idParam } })
		.process(userHasRight, {
			input: (pickup) => pickup("guildId"),
			options: { right: "role.manage" },
			pickup: ["membership"],
		})
		.check(userExist, {
			input: (pickup) => pickup("userId"),
			result: "user.exist",
			catch: memberAnswers.userNotFound,
		})
		.presetCheck(roleFound, (pickup) => ({ guildId: pickup("guildId"), roleId: pickup("roleId") }))
		.handler(
			async ({ pickup }, response) => {
				refuseMemberChange(
					response,
					await guilds.setMemberRole(pickup("guildId"), pickup("userId"), pickup("roleId"), pickup("membership")),
				);
				memberAnswers.roleChanged.send(response);
			},
			memberAnswers.roleChanged,
			notFound,
			ownerOnlyChange,
			lastOwner,
		);
}
