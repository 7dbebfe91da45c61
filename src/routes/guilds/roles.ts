// Guild role routes: list, create, rename or re-permission, delete; permissions come from the static list in code.
import { z } from "zod";
import { type App, text } from "../../core/index.js";
import { permissionSchema } from "../../services/permissions.js";
import type { IdentityRouteDependencies } from "../guards.js";
import { idParam } from "../params.js";
import { roleAnswers } from "./answers.js";

const roleName = text().trim().min(1).max(32);
const rolePermissions = z.array(permissionSchema).max(64);

export function declareRoleRoutes(_app: App, { services, guards }: IdentityRouteDependencies): void {
	const { guilds } = services;
	const { authenticatedRoute, userHasRight, roleFound } = guards;

	authenticatedRoute
		.declareRoute("GET", "/api/guilds/{guildId}/roles")
		.extract({ params: { guildId: idParam } })
		.process(userHasRight, { input: (pickup) => pickup("guildId") })
		.handler(
			async ({ pickup }, response) => roleAnswers.list.send(response, { roles: await guilds.roles(pickup("guildId")) }),
			roleAnswers.list,
		);

	authenticatedRoute
		.declareRoute("POST", "/api/guilds/{guildId}/roles")
		.extract({ params: { guildId: idParam }, body: { name: roleName, permissions: rolePermissions.default([]) } })
		.process(userHasRight, { input: (pickup) => pickup("guildId"), options: { right: "role.manage" } })
		.handler(
			async ({ pickup }, response) => {
				// A duplicate name is refused by guild_roles_guild_name_unique: 409 role.name_taken from the app's error mapping.
				const role = await guilds.createRole(
					pickup("guildId"),
					{ name: pickup("name"), permissions: pickup("permissions") },
					pickup("user").id,
				);
				roleAnswers.created.send(response, { role });
			},
			roleAnswers.created,
			roleAnswers.nameTaken,
		);

	authenticatedRoute
		.declareRoute("PATCH", "/api/guilds/{guildId}/roles/{roleId}")
		.extract({
			params: { guildId: idParam, roleId: idParam },
			body: { name: roleName.optional(), permissions: rolePermissions.optional() },
		})
		.process(userHasRight, { input: (pickup) => pickup("guildId"), options: { right: "role.manage" } })
		.presetCheck(roleFound, (pickup) => ({ guildId: pickup("guildId"), roleId: pickup("roleId") }))
		.handler(
			async ({ pickup }, response) => {
				const updated = await guilds.updateRole(
					pickup("role"),
					{ name: pickup("name"), permissions: pickup("permissions") },
					pickup("user").id,
				);
				if (updated.status === "system-role") return roleAnswers.system.send(response);
				roleAnswers.updated.send(response, { role: updated.role });
			},
			roleAnswers.updated,
			roleAnswers.system,
			roleAnswers.nameTaken,
		);

	authenticatedRoute
		.declareRoute("DELETE", "/api/guilds/{guildId}/roles/{roleId}")
		.extract({ params: { guildId: idParam, roleId: idParam } })
		.process(userHasRight, { input: (pickup) => pickup("guildId"), options: { right: "role.manage" } })
		.presetCheck(roleFound, (pickup) => ({ guildId: pickup("guildId"), roleId: pickup("roleId") }))
		.handler(
			async ({ pickup }, response) => {
				// A role still held by members is refused by guild_members_role_fk: 409 role.in_use; the default role of new
				// members by guild_settings_default_role_fk: 409 role.default.
				const deleted = await guilds.deleteRole(pickup("role"), pickup("user").id);
				if (deleted.status === "system-role") return roleAnswers.system.send(response);
				roleAnswers.deleted.send(response);
			},
			roleAnswers.deleted,
			roleAnswers.system,
			roleAnswers.inUse,
			roleAnswers.isDefault,
		);
}
