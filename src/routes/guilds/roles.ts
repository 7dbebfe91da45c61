// Guild role routes: list, create, rename or re-permission, delete; permissions come from the static list in code.
import { z } from "zod";
import { type App, IHaveSentThis, type Response, text } from "../../core/index.js";
import { fail, refusal } from "../../responses.js";
import { permissionSchema } from "../../services/permissions.js";
import type { IdentityRouteDependencies } from "../guards.js";
import { idParam } from "../params.js";
import { roleSchema } from "../schemas.js";

const roleName = text().trim().min(1).max(32);
const rolePermissions = z.array(permissionSchema).max(64);

export function declareRoleRoutes(_app: App, { services, guards }: IdentityRouteDependencies): void {
	const { guilds } = services;
	const { authenticatedRoute, userHasRight, roleFound } = guards;

	const systemRole = (response: Response) =>
		fail(response, 409, "role.system", "The owner role never changes; the member role cannot be renamed or deleted.");

	authenticatedRoute
		.declareRoute("GET", "/api/guilds/{guildId}/roles")
		.extract({ params: { guildId: idParam } })
		.process(userHasRight, { input: (pickup) => pickup("guildId") })
		.handler(
			async ({ pickup }, response) => {
				response
					.code(200)
					.info("role.list")
					.send({ roles: await guilds.roles(pickup("guildId")) });
			},
			new IHaveSentThis(200, "role.list", z.object({ roles: z.array(roleSchema) })),
		);

	authenticatedRoute
		.declareRoute("POST", "/api/guilds/{guildId}/roles")
		.extract({ params: { guildId: idParam }, body: { name: roleName, permissions: rolePermissions.default([]) } })
		.process(userHasRight, { input: (pickup) => pickup("guildId"), options: { right: "role.manage" } })
		.handler(
			async ({ pickup }, response) => {
				// A duplicate name is refused by guild_roles_guild_name_unique: 409 role.name_taken from the app's error mapping.
				const role = await guilds.createRole(pickup("guildId"), {
					name: pickup("name"),
					permissions: pickup("permissions"),
				});
				response.code(201).info("role.created").send({ role });
			},
			new IHaveSentThis(201, "role.created", z.object({ role: roleSchema })),
			refusal(409, "role.name_taken"),
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
				const updated = await guilds.updateRole(pickup("role"), {
					name: pickup("name"),
					permissions: pickup("permissions"),
				});
				if (updated.status === "system-role") systemRole(response);
				response.code(200).info("role.updated").send({ role: updated.role });
			},
			new IHaveSentThis(200, "role.updated", z.object({ role: roleSchema })),
			refusal(409, ["role.system", "role.name_taken"]),
		);

	authenticatedRoute
		.declareRoute("DELETE", "/api/guilds/{guildId}/roles/{roleId}")
		.extract({ params: { guildId: idParam, roleId: idParam } })
		.process(userHasRight, { input: (pickup) => pickup("guildId"), options: { right: "role.manage" } })
		.presetCheck(roleFound, (pickup) => ({ guildId: pickup("guildId"), roleId: pickup("roleId") }))
		.handler(
			async ({ pickup }, response) => {
				// A role still held by members is refused by guild_members_role_fk: 409 role.in_use.
				const deleted = await guilds.deleteRole(pickup("role"));
				if (deleted.status === "system-role") systemRole(response);
				response.code(204).info("role.deleted").send();
			},
			new IHaveSentThis(204, "role.deleted"),
			refusal(409, ["role.system", "role.in_use"]),
		);
}
