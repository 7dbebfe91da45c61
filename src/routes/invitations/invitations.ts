// Invitation routes for the invitee: preview what an invitation is for, and accept it.
import { z } from "zod";
import { type App, IHaveSentThis, type Response, text } from "../../core/index.js";
import { fail, refusal } from "../../responses.js";
import type { IdentityRouteDependencies } from "../guards.js";

const tokenParam = text().min(1).max(128);

export function declareInvitationRoutes(_app: App, { services, guards }: IdentityRouteDependencies): void {
	const { invitations } = services;
	const { authenticatedRoute, invitationValid, guildExist } = guards;

	const refuseInvitation = (
		response: Response,
		info: "invitation.notfound" | "invitation.expired" | "invitation.used",
	) => {
		if (info === "invitation.notfound") fail(response, 404, info, "No such invitation.");
		fail(
			response,
			410,
			info,
			info === "invitation.expired" ? "The invitation has expired." : "The invitation was already accepted.",
		);
	};
	const guildGone = (response: Response) => fail(response, 404, "guild.notfound", "The guild no longer exists.");

	authenticatedRoute
		.declareRoute("GET", "/api/invitations/{token}")
		.extract({ params: { token: tokenParam } })
		.check(
			invitationValid,
			{
				input: (pickup) => pickup("token"),
				result: "invitation.valid",
				indexing: "invitation",
				catch: refuseInvitation,
			},
			refusal(404, "invitation.notfound"),
			refusal(410, ["invitation.expired", "invitation.used"]),
		)
		.check(
			guildExist,
			{ input: (pickup) => pickup("invitation").guildId, result: "guild.exist", indexing: "guild", catch: guildGone },
			refusal(404, "guild.notfound"),
		)
		.handler(
			({ pickup }, response) => {
				const invitation = pickup("invitation");
				response
					.code(200)
					.info("invitation.found")
					.send({
						guild: { id: pickup("guild").id, name: pickup("guild").name },
						role: { id: invitation.roleId, name: invitation.roleName },
						email: invitation.email,
						expiresAt: invitation.expiresAt.toISOString(),
					});
			},
			new IHaveSentThis(
				200,
				"invitation.found",
				z.object({
					guild: z.object({ id: z.number(), name: z.string() }),
					role: z.object({ id: z.number(), name: z.string() }),
					email: z.string(),
					expiresAt: z.string(),
				}),
			),
		);

	authenticatedRoute
		.declareRoute("POST", "/api/invitations/{token}/accept")
		.extract({ params: { token: tokenParam } })
		.check(
			invitationValid,
			{
				input: (pickup) => pickup("token"),
				result: "invitation.valid",
				indexing: "invitation",
				catch: refuseInvitation,
			},
			refusal(404, "invitation.notfound"),
			refusal(410, ["invitation.expired", "invitation.used"]),
		)
		.check(
			guildExist,
			{ input: (pickup) => pickup("invitation").guildId, result: "guild.exist", indexing: "guild", catch: guildGone },
			refusal(404, "guild.notfound"),
		)
		.handler(
			async ({ pickup }, response) => {
				const accepted = await invitations.accept(pickup("invitation"), pickup("user"));
				if (accepted.status === "email-mismatch")
					fail(response, 403, "invitation.email_mismatch", "This invitation was sent to another email address.");
				if (accepted.status === "used") fail(response, 410, "invitation.used", "The invitation was already accepted.");
				response
					.code(200)
					.info("invitation.accepted")
					.send({ guild: { id: pickup("guild").id, name: pickup("guild").name }, roleId: pickup("invitation").roleId });
			},
			new IHaveSentThis(
				200,
				"invitation.accepted",
				z.object({ guild: z.object({ id: z.number(), name: z.string() }), roleId: z.number() }),
			),
			refusal(403, "invitation.email_mismatch"),
			refusal(410, "invitation.used"),
			refusal(409, "guild.already_member"),
		);
}
