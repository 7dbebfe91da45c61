// What the guild, role and member routes answer, each said once: the routes send these values and declare them.
import { z } from "zod";
import { answer, refusal } from "../../core/index.js";
import { userHasRightAnswers } from "../../processes/answers.js";
import { maxDomainsPerGuild } from "../../services/guild-domains.js";
import { hostAnswers } from "../../tenancy/answers.js";
import { paginationSchema } from "../characters/schemas.js";
import { auditPageSchema, settingsSchema, usageSchema } from "./management-schemas.js";
import {
	domainSchema,
	guildCharacterSchema,
	guildProfileSchema,
	guildSchema,
	memberSchema,
	myGuildSchema,
	roleSchema,
	roleSummarySchema,
} from "./schemas.js";

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
	ownerOnlySlug: refusal(403, "owner.required", "Only an owner can change the guild's slug (its address)."),
	/** Also sent by the database error mapping (guilds_slug_unique). */
	slugTaken: refusal(
		409,
		"guild.slug_taken",
		"Another guild has this slug, or had it recently and it still redirects there.",
	),
	slugReserved: refusal(409, "guild.slug_reserved", "This slug is reserved for the platform's own hosts."),
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
	/** Sent by the database error mapping (guild_settings_default_role_fk). */
	isDefault: refusal(
		409,
		"role.default",
		"New members get this role: name another default role in the settings first.",
	),
};

export const memberAnswers = {
	list: answer(200, "member.list", z.object({ members: z.array(memberSchema) })),
	invitationCreated: answer(
		201,
		"invitation.created",
		// `roleId`: the role named, or the default one when none was.
		z.object({ invitationId: z.number(), token: z.string(), expiresAt: z.string(), roleId: z.number() }),
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

/** What the routes of a guild's host answer (GET /api/guild, /api/guild/members, /api/guild/characters). */
export const guildHostAnswers = {
	/** The platform's host without X-Guild (or a guild deleted since its host was resolved). */
	noGuild: hostAnswers.noGuild,
	profile: answer(200, "guild.profile", z.object({ guild: guildProfileSchema })),
	characters: answer(
		200,
		"guild.characters",
		z.object({ characters: z.array(guildCharacterSchema), pagination: paginationSchema }),
	),
};

const domainBody = z.object({ domain: domainSchema });

export const domainAnswers = {
	list: answer(200, "domain.list", z.object({ domains: z.array(domainSchema) })),
	created: answer(201, "domain.created", domainBody),
	deleted: answer(204, "domain.deleted"),
	notFound: refusal(404, "domain.notfound", "No such domain in this guild."),
	invalid: refusal(
		400,
		"domain.invalid",
		"Not a domain a guild can use: a host name of two labels or more, not an address, not the platform's own.",
	),
	/** Also sent by the database error mapping (guild_domains_domain_unique). */
	taken: refusal(409, "domain.taken", "This domain is already registered."),
	limit: refusal(409, "domain.limit", `A guild holds at most ${maxDomainsPerGuild} domains: delete one first.`),
	/** The platform admins' list, with each domain's guild. */
	adminList: answer(
		200,
		"domain.list",
		z.object({
			domains: z.array(
				domainSchema.extend({ guild: z.object({ id: z.number(), slug: z.string(), name: z.string() }) }),
			),
		}),
	),
	activated: answer(200, "domain.activated", domainBody),
	deactivated: answer(200, "domain.deactivated", domainBody),
	adminNotFound: refusal(404, "domain.notfound", "No such domain."),
};

export const settingsAnswers = {
	found: answer(200, "settings.found", z.object({ settings: settingsSchema })),
	updated: answer(200, "settings.updated", z.object({ settings: settingsSchema })),
	ownerDefaultRole: refusal(
		400,
		"settings.default_role_owner",
		"The owner role cannot be the default role: an invitation naming no role would make owners.",
	),
};

export const usageAnswers = {
	found: answer(200, "usage.found", z.object({ usage: usageSchema })),
};

export const auditAnswers = {
	page: answer(200, "audit.page", auditPageSchema),
	ownerOnly: refusal(403, "owner.required", "Only an owner can read the guild's audit log."),
};
