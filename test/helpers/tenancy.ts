// Tenancy fixtures for route tests: guilds with a chosen slug, calls sent to a host, apps following each other's changes.
import { expect } from "vitest";
import type { App, InjectResponse } from "../../src/core/index.js";
import type { LoggedIn } from "./identity.js";

/** Creates a guild through the API with this slug; its id and its system roles' ids. */
export async function createGuildWithSlug(app: App, owner: LoggedIn, slug: string, name = `Guild ${slug}`) {
	const created = await app.inject({
		method: "POST",
		url: "/api/guilds",
		headers: owner.headers,
		body: { name, slug },
	});
	expect(created.statusCode, created.body).toBe(201);
	const guildId = created.json().guild.id as number;
	const roles = (await app.inject({ url: `/api/guilds/${guildId}/roles`, headers: owner.headers })).json().roles as {
		id: number;
		kind: string;
	}[];
	const roleOf = (kind: string) => {
		const role = roles.find((candidate) => candidate.kind === kind);
		if (role === undefined) throw new Error(`no ${kind} role`);
		return role.id;
	};
	return { guildId, slug, ownerRoleId: roleOf("owner"), memberRoleId: roleOf("member") };
}

/**
 * Calls sent with a Host header (and the user's token, if any): `onHost(app, "iop.localhost").get("/api/guild")`.
 * `headers` adds more, such as X-Guild.
 */
export function onHost(app: App, host: string | string[], user?: { headers: { authorization: string } }) {
	const call = (method: string, url: string, body?: unknown, headers: Record<string, string> = {}) =>
		app.inject({ method, url, body, headers: { host, ...user?.headers, ...headers } });
	return {
		get: (url: string, headers?: Record<string, string>): Promise<InjectResponse> =>
			call("GET", url, undefined, headers),
		post: (url: string, body?: unknown, headers?: Record<string, string>) => call("POST", url, body, headers),
		patch: (url: string, body?: unknown, headers?: Record<string, string>) => call("PATCH", url, body, headers),
	};
}
