// Player-domain fixtures for route tests: game accounts, characters and teams created through the API as a logged-in user.
import { expect } from "vitest";
import type { App } from "../../src/core/index.js";
import { reference } from "./fixtures.js";
import type { LoggedIn } from "./identity.js";

let sequence = 0;

export interface AccountBody {
	id: number;
	name: string;
	label: string | null;
}

export interface CharacterBody {
	id: number;
	accountId: number;
	name: string;
	level: number;
	classId: number;
	serverId: number;
	updatedAt: string;
}

export interface TeamBody {
	id: number;
	name: string;
	ownerUserId: number | null;
	guildId: number | null;
	serverId: number;
	members: { id: number; userId: number }[];
}

export async function createAccountAs(
	app: App,
	user: LoggedIn,
	values: { name?: string; label?: string } = {},
): Promise<AccountBody> {
	const response = await app.inject({
		method: "POST",
		url: "/api/accounts",
		headers: user.headers,
		body: { name: `account-${++sequence}`, ...values },
	});
	expect(response.statusCode, response.body).toBe(201);
	return response.json().account;
}

/** A character on Draconiros, an Iop of level 100, unless told otherwise. */
export async function createCharacterAs(
	app: App,
	user: LoggedIn,
	accountId: number,
	values: Partial<{ name: string; level: number; classId: number; serverId: number }> = {},
): Promise<CharacterBody> {
	const body = {
		accountId,
		name: `Perso-${++sequence}`,
		level: 100,
		classId: reference.class.iop,
		serverId: reference.server.draconiros,
		...values,
	};
	const response = await app.inject({ method: "POST", url: "/api/characters", headers: user.headers, body });
	expect(response.statusCode, response.body).toBe(201);
	return response.json().character;
}

/** A user's account holding `count` characters (names `<prefix>-1` …). */
export async function createRosterAs(
	app: App,
	user: LoggedIn,
	count: number,
	values: Partial<{ classId: number; serverId: number; level: number }> = {},
) {
	const account = await createAccountAs(app, user);
	const characters: CharacterBody[] = [];
	for (let index = 0; index < count; index++) characters.push(await createCharacterAs(app, user, account.id, values));
	return { account, characters };
}

/** A personal team on Draconiros unless told otherwise (`guildId` makes it a guild team). */
export async function createTeamAs(
	app: App,
	user: LoggedIn,
	values: Partial<{ name: string; serverId: number; guildId: number }> = {},
): Promise<TeamBody> {
	const body = { name: `Team ${++sequence}`, serverId: reference.server.draconiros, ...values };
	const response = await app.inject({ method: "POST", url: "/api/teams", headers: user.headers, body });
	expect(response.statusCode, response.body).toBe(201);
	return response.json().team;
}

export async function addToTeam(app: App, user: LoggedIn, teamId: number, characterId: number) {
	return app.inject({ method: "PUT", url: `/api/teams/${teamId}/members/${characterId}`, headers: user.headers });
}

export async function setProgress(
	app: App,
	user: LoggedIn,
	characterId: number,
	kind: string,
	refId: number,
	status: string,
) {
	return app.inject({
		method: "PUT",
		url: `/api/characters/${characterId}/progressions/${kind}/${refId}`,
		headers: user.headers,
		body: { status },
	});
}
