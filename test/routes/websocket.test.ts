// Specification of GET /api/ws and POST /api/events/ticket: who may open a socket (ticket, Bearer, same-origin cookie),
// the protocol on it (welcome, events, subscribe, unsubscribe, ping, errors), resuming, liveness, limits and closing.
import { sql } from "drizzle-orm";
import { pino } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { buildApp } from "../../src/app.js";
import type { DatabaseHandle } from "../../src/db/index.js";
import { publishEvent } from "../../src/realtime/publish.js";
import { rooms } from "../../src/realtime/rooms.js";
import { getTestDatabase, testJobQueueOf } from "../helpers/database.js";
import { createAccountAs, createCharacterAs } from "../helpers/domain.js";
import { createGuildWithMember, type LoggedIn, signUp, type TestClock, testConfig } from "../helpers/identity.js";
import {
	type RealtimeInstance,
	realtimeInstancePerTest,
	secondDatabaseHandle,
	startRealtimeInstance,
} from "../helpers/realtime.js";
import { type OpenOptions, openWebSocket, type Refused, type TestSocket } from "../helpers/ws-client.js";

let instance: RealtimeInstance & { handle: DatabaseHandle; clock: TestClock };
realtimeInstancePerTest((fresh) => {
	instance = fresh;
});

const opened: TestSocket[] = [];
afterEach(() => {
	for (const socket of opened.splice(0)) socket.close();
});

async function attempt(query = "", options: OpenOptions = {}, target: RealtimeInstance = instance) {
	const outcome = await openWebSocket(`${target.base}/api/ws${query}`, options);
	if (outcome.kind === "open") opened.push(outcome);
	return outcome;
}

/** Opens a socket and waits for its welcome: from then on the hub holds it, and events published reach it. */
async function connected(query = "", options: OpenOptions = {}, target: RealtimeInstance = instance) {
	const outcome = await attempt(query, options, target);
	if (outcome.kind !== "open") throw new Error(`refused: ${outcome.status} ${JSON.stringify(outcome.body)}`);
	await outcome.next((message) => message.type === "welcome");
	return outcome;
}

async function refused(query = "", options: OpenOptions = {}, target: RealtimeInstance = instance) {
	const outcome = await attempt(query, options, target);
	if (outcome.kind !== "refused") throw new Error("the socket opened");
	return outcome;
}

function refusal(outcome: Refused) {
	return { status: outcome.status, info: outcome.headers.info, error: outcome.body?.error };
}

const asBearer = (user: LoggedIn): OpenOptions => ({ headers: user.headers });

async function ticketFor(user: LoggedIn): Promise<string> {
	const response = await instance.app.inject({ method: "POST", url: "/api/events/ticket", headers: user.headers });
	expect(response.statusCode, response.body).toBe(201);
	return response.json().ticket;
}

const marker = (user: { id: number }, value: unknown) =>
	publishEvent(instance.db, { type: "job.progress", audience: [rooms.user(user.id)], data: { marker: value } });

describe("POST /api/events/ticket", () => {
	it("answers 201 events.ticket with a ticket valid 30 seconds", async () => {
		const player = await signUp(instance.app);
		const response = await instance.app.inject({ method: "POST", url: "/api/events/ticket", headers: player.headers });
		expect(response.statusCode, response.body).toBe(201);
		expect(response.info).toBe("events.ticket");
		const body = response.json();
		expect(body.ticket).toMatch(/^[A-Za-z0-9_-]{43}$/);
		expect(new Date(body.expiresAt).getTime()).toBe(instance.clock().getTime() + 30_000);
	});

	it("stores the ticket hashed, never as issued", async () => {
		const player = await signUp(instance.app);
		const ticket = await ticketFor(player);
		const rows = await instance.db.execute(sql`select token_hash from realtime_tickets`);
		const stored = JSON.stringify(rows);
		expect(stored).toMatch(/[0-9a-f]{64}/);
		expect(stored).not.toContain(ticket);
	});

	it("refuses a cookie-authenticated request from a foreign origin (403 csrf.rejected)", async () => {
		const player = await signUp(instance.app);
		const response = await instance.app.inject({
			method: "POST",
			url: "/api/events/ticket",
			cookies: { session: player.accessToken },
			headers: { origin: "https://evil.example" },
		});
		expect(response.statusCode, response.body).toBe(403);
		expect(response.info).toBe("csrf.rejected");
	});
});

describe("GET /api/ws", () => {
	describe("opening", () => {
		it("is documented in the OpenAPI document, with its protocol", async () => {
			const document = (await instance.app.inject({ method: "GET", url: "/openapi.json" })).json();
			const answer = document.paths["/api/ws"]?.get?.responses?.["426"];
			expect(answer?.["x-infos"]).toEqual(["websocket.upgrade_required"]);
			const description: string = answer?.content?.["application/json"]?.schema?.description ?? "";
			for (const word of ["?ticket=", "subscribe", "unsubscribed", "hidden", "welcome", "pong", "4001", "1001", "1009"])
				expect(description).toContain(word);
		});

		it("answers a plain GET 426 websocket.upgrade_required, with Upgrade: websocket", async () => {
			const response = await instance.app.inject({ method: "GET", url: "/api/ws" });
			expect(response.statusCode).toBe(426);
			expect(response.info).toBe("websocket.upgrade_required");
			expect(response.headers.upgrade).toBe("websocket");
			expect(response.json()).toMatchObject({ error: "websocket.upgrade_required" });
		});

		it("opens with the Bearer header and welcomes with the rooms the user may see", async () => {
			const player = await signUp(instance.app);
			const socket = await connected("", asBearer(player));
			expect(socket.messages[0]).toEqual({ type: "welcome", rooms: ["reference", `user:${player.id}`] });
		});

		it("opens with the session cookie when the Origin is the API's own", async () => {
			const player = await signUp(instance.app);
			const socket = await connected("", {
				headers: { cookie: `session=${player.accessToken}`, origin: instance.base },
			});
			expect(socket.messages[0]?.type).toBe("welcome");
		});

		it("refuses the session cookie from a foreign Origin: 403 csrf.rejected", async () => {
			const player = await signUp(instance.app);
			const outcome = await refused("", {
				headers: { cookie: `session=${player.accessToken}`, origin: "https://evil.example" },
			});
			expect(refusal(outcome)).toEqual({ status: 403, info: "csrf.rejected", error: "csrf.rejected" });
			expect(instance.hub.connectionCount).toBe(0);
		});

		it("answers 401 session.missing without a credential, as JSON with the info header", async () => {
			const outcome = await refused();
			expect(refusal(outcome)).toEqual({ status: 401, info: "session.missing", error: "session.missing" });
			expect(outcome.headers["content-type"]).toMatch(/^application\/json/);
			expect(outcome.body.message).toEqual(expect.any(String));
		});

		it("answers 401 session.invalid for an unknown Bearer token", async () => {
			const outcome = await refused("", { headers: { authorization: "Bearer not-a-real-token" } });
			expect(refusal(outcome)).toMatchObject({ status: 401, info: "session.invalid" });
			expect(outcome.headers["www-authenticate"]).toMatch(/invalid_token/);
		});

		it("opens with a ticket, once: the second use answers 401 ticket.invalid", async () => {
			const player = await signUp(instance.app);
			const ticket = await ticketFor(player);
			const socket = await connected(`?ticket=${ticket}`);
			expect(socket.messages[0]).toMatchObject({
				type: "welcome",
				rooms: expect.arrayContaining([`user:${player.id}`]),
			});
			const again = await refused(`?ticket=${ticket}`);
			expect(refusal(again)).toMatchObject({ status: 401, info: "ticket.invalid" });
		});

		it("refuses a ticket older than 30 seconds: 401 ticket.expired", async () => {
			const player = await signUp(instance.app);
			const ticket = await ticketFor(player);
			instance.clock.advance(31_000);
			const outcome = await refused(`?ticket=${ticket}`);
			expect(refusal(outcome)).toMatchObject({ status: 401, info: "ticket.expired" });
		});

		it("refuses a ticket whose session was revoked since: 401 session.revoked", async () => {
			const player = await signUp(instance.app);
			const ticket = await ticketFor(player);
			await instance.app.inject({ method: "POST", url: "/api/auth/logout", headers: player.headers });
			const outcome = await refused(`?ticket=${ticket}`);
			expect(refusal(outcome)).toMatchObject({ status: 401, info: "session.revoked" });
		});

		it("opens on another instance with a ticket issued by this one", async () => {
			const second = await secondDatabaseHandle();
			const other = await startRealtimeInstance(second.handle);
			try {
				const player = await signUp(instance.app);
				const socket = await connected(`?ticket=${await ticketFor(player)}`, {}, other);
				expect(socket.messages[0]?.type).toBe("welcome");
			} finally {
				await other.stop();
				await second.close();
			}
		});

		it("answers 404 room.not_found for ?rooms= naming a room the user may not see", async () => {
			const { guildId } = await createGuildWithMember(instance.app);
			const stranger = await signUp(instance.app);
			const outcome = await refused(`?rooms=guild:${guildId}`, asBearer(stranger));
			expect(refusal(outcome)).toEqual({ status: 404, info: "room.not_found", error: "room.not_found" });
			expect(instance.hub.connectionCount).toBe(0);
		});

		it("answers 400 for a malformed ?rooms= or ?since=", async () => {
			const player = await signUp(instance.app);
			expect(refusal(await refused("?rooms=guild:abc", asBearer(player)))).toMatchObject({
				status: 400,
				info: "TYPE_ERROR.query.rooms",
			});
			expect(refusal(await refused("?since=-1", asBearer(player)))).toMatchObject({
				status: 400,
				info: "TYPE_ERROR.query.since",
			});
		});

		it("answers 429 realtime.too_many_connections to a user's 11th connection", async () => {
			const player = await signUp(instance.app);
			for (let n = 0; n < 10; n++) await connected("", asBearer(player));
			const eleventh = await refused("", asBearer(player));
			expect(refusal(eleventh)).toMatchObject({ status: 429, info: "realtime.too_many_connections" });
			expect(instance.hub.connectionCount).toBe(10);
		});

		it("answers 503 realtime.unavailable on an instance without a hub", async () => {
			const db = await getTestDatabase();
			const app = buildApp({ config: testConfig, logger: pino({ level: "silent" }), db, jobs: testJobQueueOf(db) });
			const { port } = await app.listen({ host: "127.0.0.1", port: 0 });
			try {
				const player = await signUp(instance.app);
				const outcome = await openWebSocket(`http://127.0.0.1:${port}/api/ws`, asBearer(player));
				expect(outcome.kind === "refused" && refusal(outcome)).toMatchObject({
					status: 503,
					info: "realtime.unavailable",
				});
			} finally {
				await app.close();
			}
		});
	});

	describe("events", () => {
		it("delivers the events an API call causes, in the envelope SSE sends", async () => {
			const player = await signUp(instance.app);
			const socket = await connected("", asBearer(player));
			const account = await createAccountAs(instance.app, player);
			const character = await createCharacterAs(instance.app, player, account.id, { name: "Bouftou" });
			const received = await socket.next((message) => message.type === "character.created");
			expect(received).toMatchObject({
				id: expect.any(Number),
				type: "character.created",
				room: `user:${player.id}`,
				at: expect.any(String),
				data: { id: character.id, name: "Bouftou" },
			});
			expect(socket.strays).toEqual([]);
		});

		it("never sends a user the private events of another", async () => {
			const alice = await signUp(instance.app);
			const bob = await signUp(instance.app);
			const bobSocket = await connected("", asBearer(bob));
			const aliceSocket = await connected("", asBearer(alice));
			const account = await createAccountAs(instance.app, alice);
			await createCharacterAs(instance.app, alice, account.id);
			await aliceSocket.next((message) => message.type === "character.created");
			// Bob's own event, published after Alice's: once it arrives, Alice's would have too.
			await marker(bob, 1);
			await bobSocket.next((message) => message.data?.marker === 1);
			expect(bobSocket.events().map((event) => event.type)).toEqual(["job.progress"]);
		});

		it("replays what was missed after ?since=, then goes on live", async () => {
			const player = await signUp(instance.app);
			await marker(player, 1);
			const [first] = (await instance.db.execute(sql`select max(id)::int as id from realtime_events`).then(rowsOf)) as {
				id: number;
			}[];
			await marker(player, 2);
			await marker(player, 3);
			const socket = await connected(`?since=${first?.id}`, asBearer(player));
			await marker(player, 4);
			await socket.next((message) => message.data?.marker === 4);
			expect(socket.messages[0]?.type).toBe("welcome");
			expect(socket.events().map((event) => event.data.marker)).toEqual([2, 3, 4]);
		});
	});

	describe("subscriptions", () => {
		it("adds a room with subscribe and drops it with unsubscribe", async () => {
			const { owner, guildId } = await createGuildWithMember(instance.app);
			const guildEvent = (value: number) =>
				publishEvent(instance.db, { type: "guild.updated", audience: [rooms.guild(guildId)], data: { marker: value } });
			const socket = await connected(`?rooms=user:${owner.id}`, asBearer(owner));
			expect(socket.messages[0]).toEqual({ type: "welcome", rooms: [`user:${owner.id}`] });
			await guildEvent(1);
			// The hub dispatches in id order: once this arrives, event 1 went by before the subscription.
			await marker(owner, 0);
			await socket.next((message) => message.data?.marker === 0);

			socket.send({ type: "subscribe", rooms: [`guild:${guildId}`] });
			expect(await socket.next((message) => message.type === "subscribed")).toEqual({
				type: "subscribed",
				rooms: [`guild:${guildId}`],
				hidden: [],
			});
			await guildEvent(2);
			await socket.next((message) => message.data?.marker === 2);

			socket.send({ type: "unsubscribe", rooms: [`guild:${guildId}`] });
			expect(await socket.next((message) => message.type === "unsubscribed")).toEqual({
				type: "unsubscribed",
				rooms: [`guild:${guildId}`],
			});
			await guildEvent(3);
			await marker(owner, 4);
			await socket.next((message) => message.data?.marker === 4);
			expect(socket.events().map((event) => event.data.marker)).toEqual([0, 2, 4]);
		});

		it("lists a room the user may not see in hidden, exactly like one that does not exist", async () => {
			const { guildId } = await createGuildWithMember(instance.app);
			const stranger = await signUp(instance.app);
			const socket = await connected(`?rooms=user:${stranger.id}`, asBearer(stranger));
			socket.send({ type: "subscribe", rooms: [`guild:${guildId}`, "guild:999999", "reference"] });
			expect(await socket.next((message) => message.type === "subscribed")).toEqual({
				type: "subscribed",
				rooms: ["reference"],
				hidden: [`guild:${guildId}`, "guild:999999"],
			});
			await publishEvent(instance.db, { type: "guild.updated", audience: [rooms.guild(guildId)], data: { marker: 1 } });
			await marker(stranger, 2);
			await socket.next((message) => message.data?.marker === 2);
			expect(socket.events().map((event) => event.data.marker)).toEqual([2]);
		});

		it("answers ping with pong", async () => {
			const player = await signUp(instance.app);
			const socket = await connected("", asBearer(player));
			socket.send({ type: "ping" });
			expect(await socket.next((message) => message.type === "pong")).toEqual({ type: "pong" });
		});
	});

	describe("bad messages", () => {
		const cases: [string, unknown, string][] = [
			["bad JSON", "{not json", "message.invalid"],
			["a JSON value that is not a message", "[1,2]", "message.invalid"],
			["an unknown type", { type: "shout" }, "message.unknown_type"],
			["a malformed room", { type: "subscribe", rooms: ["guild:abc"] }, "room.invalid"],
			["a subscribe without rooms", { type: "subscribe" }, "message.invalid"],
		];
		for (const [what, sent, error] of cases) {
			it(`answers ${what} with an ${error} error, and the socket goes on`, async () => {
				const player = await signUp(instance.app);
				const socket = await connected("", asBearer(player));
				socket.send(sent);
				expect(await socket.next((message) => message.type === "error")).toEqual({
					type: "error",
					error,
					message: expect.any(String),
				});
				socket.send({ type: "ping" });
				await socket.next((message) => message.type === "pong");
			});
		}

		it("answers a binary frame with a message.invalid error, and the socket goes on", async () => {
			const player = await signUp(instance.app);
			const socket = await connected("", asBearer(player));
			socket.socket.send(Buffer.from([1, 2, 3]), { binary: true });
			expect(await socket.next((message) => message.type === "error")).toMatchObject({ error: "message.invalid" });
			await marker(player, 1);
			await socket.next((message) => message.data?.marker === 1);
		});

		it("closes the socket with 1009 on a frame over 16 KiB", async () => {
			const player = await signUp(instance.app);
			const socket = await connected("", asBearer(player));
			socket.send({ type: "ping", padding: "x".repeat(17 * 1024) });
			expect((await socket.closed()).code).toBe(1009);
			await expect.poll(() => instance.hub.connectionCount).toBe(0);
		});
	});

	describe("closing", () => {
		it("closes within a second of the session being revoked, with 4001", async () => {
			const player = await signUp(instance.app);
			const socket = await connected("", asBearer(player));
			const loggedOut = await instance.app.inject({ method: "POST", url: "/api/auth/logout", headers: player.headers });
			expect(loggedOut.statusCode, loggedOut.body).toBeLessThan(300);
			expect(await socket.closed(1_000)).toEqual({ code: 4001, reason: "session-ended" });
			expect(instance.hub.connectionCount).toBe(0);
		});

		it("closes with 4003 when no room it named is visible any more", async () => {
			const { owner, member, guildId } = await createGuildWithMember(instance.app);
			const socket = await connected(`?rooms=guild:${guildId}`, asBearer(member));
			const removed = await instance.app.inject({
				method: "DELETE",
				url: `/api/guilds/${guildId}/members/${member.id}`,
				headers: owner.headers,
			});
			expect(removed.statusCode, removed.body).toBe(204);
			expect((await socket.closed()).code).toBe(4003);
		});

		it("closes every socket with 1001 at shutdown, without waiting for the shutdown deadline", async () => {
			const player = await signUp(instance.app);
			const sockets = [await connected("", asBearer(player)), await connected("", asBearer(player))];
			const started = performance.now();
			await instance.stop();
			const took = performance.now() - started;
			for (const socket of sockets) expect(await socket.closed(100)).toEqual({ code: 1001, reason: "shutdown" });
			// SHUTDOWN_TIMEOUT_MS is 1 s in tests: a socket held to the deadline would take that long.
			expect(took).toBeLessThan(900);
			expect(instance.hub.connectionCount).toBe(0);
		});

		it("drops a client that leaves more than REALTIME_MAX_BUFFERED_BYTES unread, and only that one", async () => {
			const slow = await startRealtimeInstance(instance.handle, { maxBufferedBytes: 16_384 });
			try {
				const player = await signUp(slow.app);
				const reader = await connected("", asBearer(player), slow);
				const sleeper = await connected("", asBearer(player), slow);
				sleeper.socket.pause();
				const chunk = "x".repeat(7_000);
				// The kernel's socket buffers take a few megabytes before anything stays unread; each publish gives the loop a turn.
				for (let index = 0; index < 3_000 && slow.hub.connectionCount > 1; index++) {
					await publishEvent(slow.db, {
						type: "job.progress",
						audience: [rooms.user(player.id)],
						data: { index, chunk },
					});
					await new Promise((resolve) => setTimeout(resolve, 1));
				}
				await expect.poll(() => slow.hub.connectionCount, { timeout: 5_000 }).toBe(1);
				await publishEvent(slow.db, {
					type: "job.progress",
					audience: [rooms.user(player.id)],
					data: { marker: "here" },
				});
				await reader.next((message) => message.data?.marker === "here");
			} finally {
				await slow.stop();
			}
		});

		it("cuts a client that answers no ping frame by the next one", async () => {
			const quick = await startRealtimeInstance(instance.handle, { heartbeatMs: 100 });
			try {
				const player = await signUp(quick.app);
				const deaf = await connected("", { ...asBearer(player), autoPong: false }, quick);
				const alive = await connected("", asBearer(player), quick);
				expect((await deaf.closed(1_000)).code).toBe(1006);
				await expect.poll(() => quick.hub.connectionCount).toBe(1);
				alive.send({ type: "ping" });
				await alive.next((message) => message.type === "pong");
			} finally {
				await quick.stop();
			}
		});
	});
});

function rowsOf(result: unknown): unknown[] {
	return Array.isArray(result) ? result : (result as { rows: unknown[] }).rows;
}
