// Identity fixtures for route tests: an app with a movable clock, and users registered and logged in through the API.
import { and, desc, eq } from "drizzle-orm";
import { type Logger, pino } from "pino";
import { beforeAll, beforeEach, expect } from "vitest";
import { type AppDependencies, buildApp } from "../../src/app.js";
import type { App } from "../../src/core/index.js";
import type { Database } from "../../src/db/index.js";
import { mailOutbox } from "../../src/db/schema/index.js";
import {
	createIdentityServices,
	type IdentityDependencies,
	type IdentityServices,
} from "../../src/services/identity.js";
import { getTestDatabase, resetTestDatabase, testJobQueueOf } from "./database.js";

export const testConfig = { APP_ENV: "TEST", BODY_LIMIT: 1_048_576, SHUTDOWN_TIMEOUT_MS: 1000, BENCH: false } as const;

/** A clock the test moves by hand; services read it for every timestamp they write or compare. */
export function testClock(start = new Date("2026-03-01T12:00:00.000Z")) {
	let current = start.getTime();
	const now = () => new Date(current);
	return Object.assign(now, {
		advance(ms: number) {
			current += ms;
		},
	});
}

export type TestClock = ReturnType<typeof testClock>;

/** The identity services on `db` without an app: a silent logger, `clock`, TEST settings with `config` on top. */
export function testIdentityServices(
	db: Database,
	clock: TestClock,
	config: Partial<IdentityDependencies["config"]> = {},
): IdentityServices {
	return createIdentityServices({
		db,
		config: { APP_ENV: "TEST", ...config },
		logger: pino({ level: "silent" }),
		now: clock,
		jobs: testJobQueueOf(db),
	});
}

export function buildIdentityApp(
	db: Database,
	options: Partial<Omit<AppDependencies, "db" | "config">> & { config?: Partial<AppDependencies["config"]> } = {},
) {
	const clock = testClock();
	const logger: Logger = options.logger ?? pino({ level: "silent" });
	const jobs = options.jobs ?? testJobQueueOf(db);
	const app = buildApp({ clock, ...options, db, logger, jobs, config: { ...testConfig, ...options.config } });
	return { app, clock };
}

/**
 * The usual set-up of a route test file: its database once, then before each test an emptied database
 * and a new app (with a fresh clock) handed to `receive` — `freshAppPerTest((fresh) => ({ db, app } = fresh))`.
 */
export function freshAppPerTest(receive: (fresh: { db: Database; app: App; clock: TestClock }) => void): void {
	let db: Database;
	beforeAll(async () => {
		db = await getTestDatabase();
	});
	beforeEach(async () => {
		await resetTestDatabase(db);
		receive({ db, ...buildIdentityApp(db) });
	});
}

let sequence = 0;

export const defaultPassword = "correct horse battery staple";

export interface TestUser {
	id: number;
	email: string;
	password: string;
	displayName: string;
}

export async function registerUser(app: App, values: Partial<Omit<TestUser, "id">> = {}): Promise<TestUser> {
	const n = ++sequence;
	const input = { email: `player${n}@example.test`, password: defaultPassword, displayName: `Player ${n}`, ...values };
	const response = await app.inject({ method: "POST", url: "/api/auth/register", body: input });
	expect(response.statusCode, response.body).toBe(201);
	return { ...input, id: response.json().user.id as number };
}

export interface LoggedIn {
	accessToken: string;
	refreshToken: string;
	/** Headers that authenticate a request with the Bearer token. */
	headers: { authorization: string };
	/** The raw Set-Cookie of the session cookie. */
	cookie: string;
}

export function bearer(accessToken: string) {
	return { authorization: `Bearer ${accessToken}` };
}

export async function loginAs(
	app: App,
	user: Pick<TestUser, "email" | "password">,
	options: { userAgent?: string } = {},
): Promise<LoggedIn> {
	const response = await app.inject({
		method: "POST",
		url: "/api/auth/login",
		body: { email: user.email, password: user.password },
		headers: options.userAgent === undefined ? {} : { "user-agent": options.userAgent },
	});
	expect(response.statusCode, response.body).toBe(200);
	const body = response.json();
	const setCookie = [response.headers["set-cookie"] ?? []].flat().map(String);
	return {
		accessToken: body.accessToken,
		refreshToken: body.refreshToken,
		headers: bearer(body.accessToken),
		cookie: setCookie[0] ?? "",
	};
}

/** Registers a new user and logs them in. */
export async function signUp(app: App, values: Partial<Omit<TestUser, "id">> = {}): Promise<TestUser & LoggedIn> {
	const user = await registerUser(app, values);
	return { ...user, ...(await loginAs(app, user)) };
}

/** The last mail of a kind sent to an address, as the outbox stored it. */
export async function lastMail(db: Database, recipient: string, kind: string) {
	const [mail] = await db
		.select()
		.from(mailOutbox)
		.where(and(eq(mailOutbox.recipient, recipient), eq(mailOutbox.kind, kind)))
		.orderBy(desc(mailOutbox.id))
		.limit(1);
	return mail;
}

/** The token a mail carries (our tokens are 43 base64url characters on their own line). */
export function tokenIn(body: string | undefined): string {
	const token = /^[A-Za-z0-9_-]{43}$/m.exec(body ?? "")?.[0];
	if (token === undefined) throw new Error(`no token in mail: ${body}`);
	return token;
}

/** Creates a guild through the API as `owner`; returns its id and its system roles. */
export async function createGuildAs(app: App, owner: LoggedIn, name = `Guild ${++sequence}`) {
	const created = await app.inject({ method: "POST", url: "/api/guilds", headers: owner.headers, body: { name } });
	expect(created.statusCode, created.body).toBe(201);
	const guildId = created.json().guild.id as number;
	const roles = (await app.inject({ url: `/api/guilds/${guildId}/roles`, headers: owner.headers })).json().roles as {
		id: number;
		kind: string;
		name: string;
	}[];
	const roleOf = (kind: string) => {
		const role = roles.find((candidate) => candidate.kind === kind);
		if (role === undefined) throw new Error(`no ${kind} role`);
		return role.id;
	};
	return { guildId, ownerRoleId: roleOf("owner"), memberRoleId: roleOf("member") };
}

/** Invites `member` into the guild with a role and accepts as them. */
export async function addMember(
	app: App,
	guildId: number,
	inviter: LoggedIn,
	member: TestUser & LoggedIn,
	roleId: number,
) {
	const invited = await app.inject({
		method: "POST",
		url: `/api/guilds/${guildId}/invitations`,
		headers: inviter.headers,
		body: { email: member.email, roleId },
	});
	expect(invited.statusCode, invited.body).toBe(201);
	const accepted = await app.inject({
		method: "POST",
		url: `/api/invitations/${invited.json().token}/accept`,
		headers: member.headers,
	});
	expect(accepted.statusCode, accepted.body).toBe(200);
}

/** An owner, a plain member (the guild's member role) and their guild, all through the API. */
export async function createGuildWithMember(app: App) {
	const owner = await signUp(app);
	const member = await signUp(app);
	const guild = await createGuildAs(app, owner);
	await addMember(app, guild.guildId, owner, member, guild.memberRoleId);
	return { owner, member, ...guild };
}
