// Invitation routes for the invitee: preview what an invitation is for, and accept it.
import { type App, type Response, text } from "../../core/index.js";
import type { IdentityRouteDependencies } from "../guards.js";
import { memberAnswers } from "../guilds/answers.js";
import { invitationAnswers } from "./answers.js";

const tokenParam = text().min(1).max(128);

const { notFound, expired, used } = invitationAnswers;

/** The token check's catch: the refusal of each info of a token that is not valid (the check declares all three). */
function refuseInvitation(
	response: Response<typeof notFound | typeof expired | typeof used>,
	info: "invitation.notfound" | "invitation.expired" | "invitation.used",
): never {
	if (info === "invitation.notfound") notFound.send(response);
	if (info === "invitation.expired") expired.send(response);
	return used.send(response);
}

export function declareInvitationRoutes(_app: App, { services, guards }: IdentityRouteDependencies): void {
	const { invitations } = services;
	const { authenticatedRoute, invitationValid, guildExist } = guards;

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
			notFound,
			expired,
			used,
		)
		.check(guildExist, {
			input: (pickup) => pickup("invitation").guildId,
			result: "guild.exist",
			indexing: "guild",
			catch: invitationAnswers.guildGone,
		})
		.handler(({ pickup }, response) => {
			const invitation = pickup("invitation");
			invitationAnswers.found.send(response, {
				guild: { id: pickup("guild").id, name: pickup("guild").name },
				role: { id: invitation.roleId, name: invitation.roleName },
				email: invitation.email,
				expiresAt: invitation.expiresAt.toISOString(),
			});
		}, invitationAnswers.found);

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
			notFound,
			expired,
			used,
		)
		.check(guildExist, {
			input: (pickup) => pickup("invitation").guildId,
			result: "guild.exist",
			indexing: "guild",
			catch: invitationAnswers.guildGone,
		})
		.handler(
			async ({ pickup }, response) => {
				const accepted = await invitations.accept(pickup("invitation"), pickup("user"));
				if (accepted.status === "email-mismatch") return invitationAnswers.emailMismatch.send(response);
				if (accepted.status === "used") return invitationAnswers.used.send(response);
				invitationAnswers.accepted.send(response, {
					guild: { id: pickup("guild").id, name: pickup("guild").name },
					roleId: pickup("invitation").roleId,
				});
			},
			invitationAnswers.accepted,
			invitationAnswers.emailMismatch,
			invitationAnswers.used,
			// An invitee who is already a member: guild_members_pkey refuses the insert, the error mapping answers.
			memberAnswers.alreadyMember,
		);
}
