// Guild member routes: list members, invite by email, remove (or leave), change a member's role.
import { z } from "zod";
import { type App, IHaveSentThis, type Response, storableTextCheck } from "../../core/index.js";
import { fail, refusal } from "../../responses.js";
import type { MemberChange } from "../../services/guilds.js";
import type { IdentityRouteDependencies } from "../guards.js";
import { idParam } from "../params.js";
import { memberSchema } from "../schemas.js";

function refuseMemberChange(response: Response, change: MemberChange): undefined {
	switch (change.status) {
		case "not-member":
			return fail(response, 404, "member.notfound", "This user is not a member of the guild.");
		case "owner-only":
			return fail(response, 403, "owner.required", "Only an owner can grant, take away or remove the owner role.");
		case "last-owner":
			return fail(
				response,
				409,
				"owner.last",
				"The guild's last owner cannot leave or be demoted: name another owner first.",
			);
	}
}

export function declareMemberRoutes(_app: App, { services, guards }: IdentityRouteDependencies): void {
	const { guilds, invitations } = services;
	const { authenticatedRoute, userHasRight, userExist, roleFound } = guards;

	const userNotFound = (response: Response) => fail(response, 404, "user.notfound", "No such user.");

	authenticatedRoute
		.declareRoute("GET", "/api/guilds/{guildId}/members")
		.extract({ params: { guildId: idParam } })
		.process(userHasRight, { input: (pickup) => pickup("guildId") })
		.handler(
			async ({ pickup }, response) => {
				response
					.code(200)
					.info("member.list")
					.send({ members: await guilds.members(pickup("guildId")) });
			},
			new IHaveSentThis(200, "member.list", z.object({ members: z.array(memberSchema) })),
		);

	authenticatedRoute
		.declareRoute("POST", "/api/guilds/{guildId}/invitations")
		.extract({
			params: { guildId: idParam },
			body: { email: z.email().max(320).check(storableTextCheck), roleId: idParam },
		})
		.process(userHasRight, {
			input: (pickup) => pickup("guildId"),
			options: { right: "member.invite" },
			pickup: ["membership"],
		})
		.presetCheck(roleFound, (pickup) => ({ guildId: pickup("guildId"), roleId: pickup("roleId") }))
		.handler(
			async ({ pickup }, response) => {
				const created = await invitations.create(pickup("membership"), {
					email: pickup("email"),
					role: pickup("role"),
				});
				if (created.status !== "created") {
					if (created.status === "owner-only")
						fail(response, 403, "owner.required", "Only an owner can invite new owners.");
					fail(response, 409, "guild.already_member", "This address already belongs to a member.");
				}
				// The token is also mailed; answering it lets the inviter share it through another channel.
				response.code(201).info("invitation.created").send({
					invitationId: created.invitationId,
					token: created.token,
					expiresAt: created.expiresAt.toISOString(),
				});
			},
			new IHaveSentThis(
				201,
				"invitation.created",
				z.object({ invitationId: z.number(), token: z.string(), expiresAt: z.string() }),
			),
			refusal(403, "owner.required"),
			refusal(409, "guild.already_member"),
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
		.check(
			userExist,
			{ input: (pickup) => pickup("userId"), result: "user.exist", catch: userNotFound },
			refusal(404, "user.notfound"),
		)
		.handler(
			async ({ pickup }, response) => {
				refuseMemberChange(
					response,
					await guilds.removeMember(pickup("guildId"), pickup("userId"), pickup("membership")),
				);
				response.code(204).info("member.removed").send();
			},
			new IHaveSentThis(204, "member.removed"),
			refusal(404, "member.notfound"),
			refusal(403, "owner.required"),
			refusal(409, "owner.last"),
		);

	authenticatedRoute
		.declareRoute("PUT", "/api/guilds/{guildId}/members/{userId}/role")
		.extract({ params: { guildId: idParam, userId: idParam }, body: { roleId: idParam } })
		.process(userHasRight, {
			input: (pickup) => pickup("guildId"),
			options: { right: "role.manage" },
			pickup: ["membership"],
		})
		.check(
			userExist,
			{ input: (pickup) => pickup("userId"), result: "user.exist", catch: userNotFound },
			refusal(404, "user.notfound"),
		)
		.presetCheck(roleFound, (pickup) => ({ guildId: pickup("guildId"), roleId: pickup("roleId") }))
		.handler(
			async ({ pickup }, response) => {
				refuseMemberChange(
					response,
					await guilds.setMemberRole(pickup("guildId"), pickup("userId"), pickup("roleId"), pickup("membership")),
				);
				response.code(204).info("member.role_changed").send();
			},
			new IHaveSentThis(204, "member.role_changed"),
			refusal(404, "member.notfound"),
			refusal(403, "owner.required"),
			refusal(409, "owner.last"),
		);
}
