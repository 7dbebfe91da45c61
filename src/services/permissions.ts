// The one list of guild permissions: roles hold a subset of these identifiers; the owner role holds them all.
import { z } from "zod";

export const permissions = [
	"guild.manage",
	"member.invite",
	"member.remove",
	"role.manage",
	"team.manage",
	"character.view",
	"progression.edit",
] as const;

export type Permission = (typeof permissions)[number];

export const permissionSchema = z.enum(permissions);

/** What a new guild's `member` role may do until its managers say otherwise. */
export const defaultMemberPermissions: readonly Permission[] = ["character.view"];

export interface RoleGrant {
	kind: "owner" | "member" | "custom";
	permissions: readonly string[];
}

/** Owners can do everything, including what later versions add to the list, whatever their stored array says. */
export function roleGrants(role: RoleGrant, right: Permission): boolean {
	return role.kind === "owner" || role.permissions.includes(right);
}
