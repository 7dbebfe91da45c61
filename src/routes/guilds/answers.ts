// What the guild, role and member routes answer, each said once: the routes send these values and declare them.
import { z } from "zod";
import { answer, refusal } from "../../core/index.js";
import { userHasRightAnswers } from "../../processes/answers.js";
import { guildSchema, memberSchema, myGuildSchema, roleSchema, roleSummarySchema } from "./schemas.js";

export const guildAnswers = {
	created: answer(201, "guild.created", z.object({ guild: guildSchema.extend({ role: roleSchema }) })),
	list: answer(200, "guild.list", z.object({ guilds: z.array(myGuildSchema) })),
	found: answer(
		200,
		"guild.found",
		z.object({ guild: guildSchema, myRole: roleSummarySchema.extend({ permissions: z.array(z.string()) }) }),
	),
	updated: answer(200, "guild.updated", z.object({ guild: guildSchema })),
	deleted: answer(204, "guild.deleted"),
	/** The one 404 of guilds, said by `userHasRight` (which refuses first on every guild route). */
	notFound: userHasRightAnswers.guildNotFound,
	ownerOnlyDelete: refusal(403, "owner.required", "Only an owner can delete the guild."),
};

const roleBody = z.object({ role: roleSchema });

export const roleAnswers = {
	list: answer(200, "role.list", z.object({ roles: z.array(roleSchema) })),
	created: answer(201, "role.created", roleBody),
	updated: answer(200, "role.updated", roleBody),
	deleted: answer(204, "role.deleted"),
	notFound: refusal(404, "role.notfound", "No such role in this guild."),
	system: refusal(409, "role.system", "The owner role never changes; the member role cannot be renamed or deleted."),
	/** Sent by the database error mapping (guild_roles_guild_name_unique). */
	nameTaken: refusal(409, "role.name_taken", "A role of that name already exists in this guild."),
	/** Sent by the database error mapping (guild_members_role_fk). */
	inUse: refusal(409, "role.in_use", "Members still hold this role: give them another one first."),
};

export const memberAnswers = {
	list: answer(200, "member.list", z.object({ members: z.array(memberSchema) })),
	invitationCreated: answer(
		201,
		"invitation.created",
		z.object({ invitationId: z.number(), token: z.string(), expiresAt: z.string() }),
	),
	removed: answer(204, "member.removed"),
	roleChanged: answer(204, "member.role_changed"),
	userNotFound: refusal(404, "user.notfound", "No such user."),
	notFound: refusal(404, "member.notfound", "This user is not a member of the guild."),
	ownerOnlyInvite: refusal(403, "owner.required", "Only an owner can invite new owners."),
	ownerOnlyChange: refusal(403, "owner.required", "Only an owner can grant, take away or remove the owner role."),
	lastOwner: refusal(409, "owner.last", "The guild's last owner cannot leave or be demoted: name another owner first."),
	/** Also accepting an invitation when already a member: the database error mapping sends it (guild_members_pkey). */
	alreadyMember: refusal(409, "guild.already_member", "This address already belongs to a member."),
};
