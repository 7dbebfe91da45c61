// Invitation routes for the invitee: preview what an invitation is for, and accept it.
import { type App, text } from "../../core/index.js";
import type { IdentityRouteDependencies } from "../guards.js";
import { memberAnswers } from "../guilds/answers.js";
import { invitationAnswers } from "./answers.js";

const tokenParam = text().min(1).max(128);

export function declareInvitationRoutes(_app: App, { services, guards }: IdentityRouteDependencies): void {
	const { invitations } = services;
	const { authenticatedRoute, invitationFound, invitationGuild } = guards;

	authenticatedRoute
		.declareRoute("GET", "/api/invitations/{token}")
		.extract({ params: { token: tokenParam } })
		.presetCheck(invitationFound, (pickup) => pickup("token"))
		.presetCheck(invitationGuild, (pickup) => pickup("invitation").guildId)
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
		.presetCheck(invitationFound, (pickup) => pickup("token"))
		.presetCheck(invitationGuild, (pickup) => pickup("invitation").guildId)
		.handler(
			async ({ pickup }, response) => {
				const accepted = await invitations.accept(pickup("invitation"), pickup("user"));
				if (accepted.status === "email-mismatch") return invitationAnswers.emailMismatch.send(response);
				if (accepted.status === "used") return invitationAnswers.used.send(response);
				if (accepted.status === "full") return invitationAnswers.guildFull.send(response);
				invitationAnswers.accepted.send(response, {
					guild: { id: pickup("guild").id, name: pickup("guild").name },
					roleId: pickup("invitation").roleId,
				});
			},
			invitationAnswers.accepted,
			invitationAnswers.emailMismatch,
			invitationAnswers.used,
			invitationAnswers.guildFull,
			// An invitee who is already a member: guild_members_pkey refuses the insert, the error mapping answers.
			memberAnswers.alreadyMember,
		);
}
