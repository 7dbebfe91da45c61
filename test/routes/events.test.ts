// Specification of GET /api/events: the SSE stream of the rooms a user may see, replay, access that follows changes,
// limits, and fan-out between two instances on one database.
import { sql } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import type { DatabaseHandle } from "../../src/db/index.js";
import { publishEvent } from "../../src/realtime/publish.js";
import { rooms } from "../../src/realtime/rooms.js";
import { createAccountAs, createCharacterAs } from "../helpers/domain.js";
import { createGuildWithMember, signUp, type TestClock } from "../helpers/identity.js";
import {
	type RealtimeInstance,
	realtimeInstancePerTest,
	secondDatabaseHandle,
	startRealtimeInstance,
} from "../helpers/realtime.js";
import { openSse, type SseConnection } from "../helpers/sse-client.js";

let instance: RealtimeInstance & { handle: DatabaseHandle; clock: TestClock };
realtimeInstancePerTest((fresh) => {
	instance = fresh;
});

const opened: SseConnection[] = [];
afterEach(() => {
	for (const connection of opened.splice(0)) connection.close();
});

async function stream(headers: Record<string, string>, query = "", target: RealtimeInstance = instance) {
	const connection = await openSse(`${target.base}/api/events${query}`, headers);
	opened.push(connection);
	return connection;
}

/** Opens the stream and waits until the hub holds it (events published from then on reach it). */
async function following(headers: Record<string, string>, query = "", target: RealtimeInstance = instance) {
	const before = target.hub.connectionCount;
	const connection = await stream(headers, query, target);
	expect(connection.status, connection.text()).toBe(200);
	await expect.poll(() => target.hub.connectionCount).toBeGreaterThan(before);
	return connection;
}

describe("GET /api/events", () => {
	it("answers 401 without credentials", async () => {
		const connection = await stream({});
		await connection.ended();
		expect(connection.status).toBe(401);
		expect(connection.headers.info).toBe("session.missing");
	});

	it("streams the caller's own events, as they happen, in the envelope", async () => {
		const player = await signUp(instance.app);
		const events = await following(player.headers);
		const account = await createAccountAs(instance.app, player);
		const character = await createCharacterAs(instance.app, player, account.id, { name: "Bouftou" });
		const received = await events.next((event) => event.json?.type === "character.created");
		expect(received.json).toMatchObject({
			type: "character.created",
			room: `user:${player.id}`,
			data: { id: character.id, name: "Bouftou" },
		});
		expect(received.id).toBe(String(received.json.id));
		expect(new Date(received.json.at).toString()).not.toBe("Invalid Date");
	});

	it("never sends a user the private events of another", async () => {
		const alice = await signUp(instance.app);
		const bob = await signUp(instance.app);
		const bobEvents = await following(bob.headers);
		const aliceEvents = await following(alice.headers);
		const account = await createAccountAs(instance.app, alice);
		await createCharacterAs(instance.app, alice, account.id);
		await aliceEvents.next((event) => event.json?.type === "character.created");
		// Bob's own change, published after Alice's: once it arrives, Alice's would have too.
		await publishEvent(instance.db, { type: "job.progress", audience: [rooms.user(bob.id)], data: { marker: 1 } });
		await bobEvents.next((event) => event.json?.data?.marker === 1);
		expect(bobEvents.events.map((event) => event.json.type)).toEqual(["job.progress"]);
	});

	it("delivers guild events to members, and character events only to those whose role lets them view", async () => {
		const { owner, member, guildId } = await createGuildWithMember(instance.app);
		const ownerEvents = await following(owner.headers);
		const memberEvents = await following(member.headers);
		await publishEvent(instance.db, {
			type: "character.updated",
			audience: [rooms.guildRight(guildId, "role.manage")],
			data: { marker: "managers" },
		});
		await publishEvent(instance.db, {
			type: "guild.updated",
			audience: [rooms.guild(guildId)],
			data: { marker: "all" },
		});
		const seenByOwner = await ownerEvents.next((event) => event.json?.data?.marker === "all");
		await memberEvents.next((event) => event.json?.data?.marker === "all");
		expect(seenByOwner.json.room).toBe(`guild:${guildId}`);
		expect(ownerEvents.events.map((event) => event.json.data.marker)).toEqual(["managers", "all"]);
		expect(memberEvents.events.map((event) => event.json.data.marker)).toEqual(["all"]);
	});

	it("narrows to the rooms named in ?rooms=", async () => {
		const { owner, guildId } = await createGuildWithMember(instance.app);
		const events = await following(owner.headers, `?rooms=guild:${guildId}`);
		await publishEvent(instance.db, { type: "job.progress", audience: [rooms.user(owner.id)], data: { marker: 1 } });
		await publishEvent(instance.db, { type: "guild.updated", audience: [rooms.guild(guildId)], data: { marker: 2 } });
		await events.next((event) => event.json?.data?.marker === 2);
		expect(events.events.map((event) => event.json.data.marker)).toEqual([2]);
	});

	it("answers 404 room.not_found for a room the caller may not see", async () => {
		const { guildId } = await createGuildWithMember(instance.app);
		const stranger = await signUp(instance.app);
		const connection = await stream(stranger.headers, `?rooms=guild:${guildId}`);
		await connection.ended();
		expect(connection.status).toBe(404);
		expect(connection.headers.info).toBe("room.not_found");
		expect(instance.hub.connectionCount).toBe(0);
	});

	it("answers 400 for a malformed room", async () => {
		const player = await signUp(instance.app);
		const connection = await stream(player.headers, "?rooms=guild:abc");
		await connection.ended();
		expect(connection.status).toBe(400);
		expect(connection.headers.info).toBe("TYPE_ERROR.query.rooms");
	});

	it("replays what was missed after Last-Event-ID, then goes on live", async () => {
		const player = await signUp(instance.app);
		const publish = (marker: number) =>
			publishEvent(instance.db, { type: "job.progress", audience: [rooms.user(player.id)], data: { marker } });
		await publish(1);
		const [first] = await instance.db.execute(sql`select max(id)::int as id from realtime_events`).then(rowsOf);
		await publish(2);
		await publish(3);
		const events = await following({ ...player.headers, "last-event-id": String(first?.id) });
		await publish(4);
		await events.next((event) => event.json?.data?.marker === 4);
		expect(events.events.map((event) => event.json.data.marker)).toEqual([2, 3, 4]);
		const ids = events.events.map((event) => Number(event.id));
		expect([...ids].sort((a, b) => a - b)).toEqual(ids);
	});

	it("sends a reset when the events after the id asked for were pruned", async () => {
		const player = await signUp(instance.app);
		await instance.db.execute(sql`insert into realtime_horizon (singleton, pruned_through) values (true, 50)`);
		const events = await stream({ ...player.headers, "last-event-id": "10" });
		const reset = await events.next();
		expect(reset.json).toMatchObject({ type: "reset", id: 50, data: { reason: "expired" } });
	});

	it("sends a reset for an id from the future (another database, a restored backup)", async () => {
		const player = await signUp(instance.app);
		const events = await stream(player.headers, "?since=999999");
		const reset = await events.next();
		expect(reset.json).toMatchObject({ type: "reset", data: { reason: "unknown" } });
	});

	it("closes the stream within a second of the session being revoked", async () => {
		const player = await signUp(instance.app);
		const events = await following(player.headers);
		const loggedOut = await instance.app.inject({ method: "POST", url: "/api/auth/logout", headers: player.headers });
		expect(loggedOut.statusCode, loggedOut.body).toBeLessThan(300);
		await events.ended(1_000);
		expect(instance.hub.connectionCount).toBe(0);
	});

	it("closes the stream once the session's access token expires", async () => {
		const player = await signUp(instance.app);
		const events = await following(player.headers);
		instance.clock.advance(24 * 3_600_000);
		await events.ended(1_000);
	});

	it("stops a member's guild events the moment they leave the guild", async () => {
		const { owner, member, guildId } = await createGuildWithMember(instance.app);
		const memberEvents = await following(member.headers);
		const removed = await instance.app.inject({
			method: "DELETE",
			url: `/api/guilds/${guildId}/members/${member.id}`,
			headers: owner.headers,
		});
		expect(removed.statusCode, removed.body).toBe(204);
		await memberEvents.next((event) => event.json?.type === "guild.member_left");
		await publishEvent(instance.db, { type: "guild.updated", audience: [rooms.guild(guildId)], data: { marker: 1 } });
		await publishEvent(instance.db, { type: "job.progress", audience: [rooms.user(member.id)], data: { marker: 2 } });
		await memberEvents.next((event) => event.json?.data?.marker === 2);
		expect(memberEvents.events.some((event) => event.json.data?.marker === 1)).toBe(false);
	});

	it("answers 429 to a user's connection past REALTIME_MAX_CONNECTIONS_PER_USER", async () => {
		const strict = await startRealtimeInstance(instance.handle, { settings: { maxConnectionsPerUser: 2 } });
		try {
			const player = await signUp(strict.app);
			await following(player.headers, "", strict);
			await following(player.headers, "", strict);
			const third = await stream(player.headers, "", strict);
			await third.ended();
			expect(third.status).toBe(429);
			expect(third.headers.info).toBe("realtime.too_many_connections");
			expect(strict.hub.connectionCount).toBe(2);
		} finally {
			await strict.stop();
		}
	});

	it("answers 503 with Retry-After past the instance's REALTIME_MAX_CONNECTIONS", async () => {
		const small = await startRealtimeInstance(instance.handle, { settings: { maxConnections: 1 } });
		try {
			const first = await signUp(small.app);
			const second = await signUp(small.app);
			await following(first.headers, "", small);
			const refused = await stream(second.headers, "", small);
			await refused.ended();
			expect(refused.status).toBe(503);
			expect(refused.headers.info).toBe("realtime.unavailable");
			expect(refused.headers["retry-after"]).toBe("5");
		} finally {
			await small.stop();
		}
	});

	it("ends every stream when the instance shuts down", async () => {
		const player = await signUp(instance.app);
		const events = await following(player.headers);
		await instance.stop();
		await events.ended();
		expect(instance.hub.connectionCount).toBe(0);
	});

	it("delivers an event caused on one instance to a client of another on the same database", async () => {
		const second = await secondDatabaseHandle();
		const other = await startRealtimeInstance(second.handle);
		try {
			const player = await signUp(instance.app);
			const events = await following(player.headers, "", other);
			const account = await createAccountAs(instance.app, player);
			await createCharacterAs(instance.app, player, account.id, { name: "Tofu" });
			const received = await events.next((event) => event.json?.type === "character.created");
			expect(received.json.data.name).toBe("Tofu");
		} finally {
			await other.stop();
			await second.close();
		}
	});
});

function rowsOf(result: unknown): { id: number }[] {
	return (Array.isArray(result) ? result : (result as { rows: { id: number }[] }).rows) as { id: number }[];
}
