// Specification of the real-time hub's delivery guarantees: commit order, nothing from rolled-back changes, large
// events, catching up on what no notification brought, pruning, and dropping clients that do not read.
import { sql } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import { type DatabaseHandle, queryRows } from "../../src/db/index.js";
import { realtimeEvents } from "../../src/db/schema/index.js";
import type { SessionLiveness } from "../../src/realtime/hub.js";
import { publishEvent } from "../../src/realtime/publish.js";
import { rooms } from "../../src/realtime/rooms.js";
import { createSessionLiveness } from "../../src/services/session-liveness.js";
import { getTestDatabaseHandle, testEngine } from "../helpers/database.js";
import { loginAs, signUp, testClock } from "../helpers/identity.js";
import { type RealtimeInstance, realtimeInstancePerTest, startRealtimeInstance } from "../helpers/realtime.js";
import { openSse, type SseConnection } from "../helpers/sse-client.js";

let instance: RealtimeInstance & { handle: DatabaseHandle };
realtimeInstancePerTest((fresh) => {
	instance = fresh;
});

const opened: SseConnection[] = [];
afterEach(() => {
	for (const connection of opened.splice(0)) connection.close();
});

async function following(headers: Record<string, string>, target: RealtimeInstance = instance) {
	const before = target.hub.connectionCount;
	const connection = await openSse(`${target.base}/api/events`, headers);
	opened.push(connection);
	expect(connection.status, connection.text()).toBe(200);
	await expect.poll(() => target.hub.connectionCount).toBeGreaterThan(before);
	return connection;
}

const marker = (userId: number, value: unknown, extra: object = {}) => ({
	type: "job.progress" as const,
	audience: [rooms.user(userId)],
	data: { marker: value, ...extra },
});

describe("the realtime hub", () => {
	it("delivers events of concurrent transactions once each, in increasing id order", async () => {
		const player = await signUp(instance.app);
		const events = await following(player.headers);
		await Promise.all(
			Array.from({ length: 40 }, (_, index) =>
				instance.db.transaction(async (tx) => {
					await tx.execute(sql`select 1`);
					await publishEvent(tx, marker(player.id, index));
				}),
			),
		);
		await expect.poll(() => events.events.length).toBe(40);
		const ids = events.events.map((event) => Number(event.id));
		expect(ids).toEqual([...ids].sort((a, b) => a - b));
		expect(new Set(events.events.map((event) => event.json.data.marker)).size).toBe(40);
	});

	it("delivers nothing of a transaction that rolled back", async () => {
		const player = await signUp(instance.app);
		const events = await following(player.headers);
		await expect(
			instance.db.transaction(async (tx) => {
				await publishEvent(tx, marker(player.id, "rolled back"));
				throw new Error("change refused");
			}),
		).rejects.toThrow("change refused");
		await publishEvent(instance.db, marker(player.id, "kept"));
		await events.next((event) => event.json?.data?.marker === "kept");
		expect(events.events.map((event) => event.json.data.marker)).toEqual(["kept"]);
	});

	it("delivers an event too large for a notification whole, read back from the log", async () => {
		const player = await signUp(instance.app);
		const events = await following(player.headers);
		const large = "é".repeat(6_000);
		await publishEvent(instance.db, marker(player.id, "large", { text: large }));
		const received = await events.next((event) => event.json?.data?.marker === "large");
		expect(received.json.data.text).toBe(large);
	});

	it("catches up from the log on events no notification announced", async () => {
		const player = await signUp(instance.app);
		const events = await following(player.headers);
		// Written without NOTIFY: as if the listener had been away when it was announced.
		await instance.db
			.insert(realtimeEvents)
			.values({ type: "job.progress", audience: [rooms.user(player.id)], data: { marker: "unannounced" } });
		const received = await events.next((event) => event.json?.data?.marker === "unannounced", 2_000);
		expect(received.json.room).toBe(`user:${player.id}`);
	});

	it("prunes events past the replay window and tells a client resuming from before them to reset", async () => {
		const player = await signUp(instance.app);
		await publishEvent(instance.db, marker(player.id, "old"));
		await instance.db.execute(sql`update realtime_events set at = now() - interval '1 hour'`);
		await publishEvent(instance.db, marker(player.id, "recent"));
		await instance.hub.prune();
		const left = await instance.db.select({ data: realtimeEvents.data }).from(realtimeEvents);
		expect(left).toEqual([{ data: { marker: "recent" } }]);
		const events = await openSse(`${instance.base}/api/events?since=0`, player.headers);
		opened.push(events);
		const first = await events.next();
		expect(first.json).toMatchObject({ type: "reset", data: { reason: "expired" } });
	});

	it("replays from an id at the horizon without a reset", async () => {
		const player = await signUp(instance.app);
		await publishEvent(instance.db, marker(player.id, "old"));
		await instance.db.execute(sql`update realtime_events set at = now() - interval '1 hour'`);
		await instance.hub.prune();
		await publishEvent(instance.db, marker(player.id, "after"));
		const events = await openSse(`${instance.base}/api/events?since=1`, player.headers);
		opened.push(events);
		expect((await events.next()).json.data).toEqual({ marker: "after" });
	});

	it("keeps a connection opened while a session check was running", async () => {
		const clock = testClock();
		const live = createSessionLiveness(instance.db, clock);
		let checks = 0;
		// A slow sessions table: each check takes 300 ms, long enough for a connection to open meanwhile.
		const slowLive: SessionLiveness = async (ids) => {
			checks++;
			const answer = await live(ids);
			await new Promise((resolve) => setTimeout(resolve, 300));
			return answer;
		};
		const slow = await startRealtimeInstance(instance.handle, {
			clock,
			sessionsAlive: slowLive,
			settings: { sessionCheckMs: 20 },
		});
		try {
			const player = await signUp(slow.app);
			await following(player.headers, slow);
			await expect.poll(() => checks).toBeGreaterThan(0);
			// Another session of the player: one the check already running did not ask about.
			const secondSession = await loginAs(slow.app, player);
			const second = await following(secondSession.headers, slow);
			const checksThen = checks;
			await expect.poll(() => checks, { timeout: 3_000 }).toBeGreaterThan(checksThen + 1);
			expect(second.isEnded).toBe(false);
			expect(slow.hub.connectionCount).toBe(2);
		} finally {
			await slow.stop();
		}
	});

	it("drops a client that stops reading, and keeps serving the others", async () => {
		const slow = await startRealtimeInstance(instance.handle, { maxBufferedBytes: 16_384 });
		try {
			const player = await signUp(slow.app);
			const reader = await following(player.headers, slow);
			const sleeper = await following(player.headers, slow);
			sleeper.pause();
			const chunk = "x".repeat(7_000);
			// The kernel's socket buffers take a few megabytes before anything stays unread. Each publish gives the event loop
			// a turn, as a server's would have between notifications: on PGlite the database runs on this very loop.
			for (let index = 0; index < 3_000 && slow.hub.connectionCount > 1; index++) {
				await publishEvent(slow.db, marker(player.id, index, { chunk }));
				await new Promise((resolve) => setTimeout(resolve, 1));
			}
			await expect.poll(() => slow.hub.connectionCount, { timeout: 5_000 }).toBe(1);
			await publishEvent(slow.db, marker(player.id, "still here"));
			await reader.next((event) => event.json?.data?.marker === "still here");
		} finally {
			await slow.stop();
		}
	});
});

describe.runIf(testEngine() === "postgres")("the realtime hub on PostgreSQL", () => {
	it("gets back what was published while its LISTEN connection was cut, without waiting for a catch-up read", async () => {
		// No periodic catch-up within the test: only the reconnection can bring the event back.
		const listening = await startRealtimeInstance(instance.handle, { settings: { catchUpMs: 60_000 } });
		try {
			const player = await signUp(listening.app);
			const events = await following(player.headers, listening);
			const handle = await getTestDatabaseHandle();
			const cut = await queryRows<{ cut: boolean }>(
				handle.db,
				sql`select pg_terminate_backend(pid) as cut from pg_stat_activity
					where datname = current_database() and pid <> pg_backend_pid() and query ilike 'listen %'`,
			);
			expect(cut.length).toBeGreaterThan(0);
			await publishEvent(listening.db, marker(player.id, "during"));
			await events.next((event) => event.json?.data?.marker === "during", 5_000);
			await publishEvent(listening.db, marker(player.id, "after"));
			await events.next((event) => event.json?.data?.marker === "after", 5_000);
			expect(events.events.map((event) => event.json.data.marker)).toEqual(["during", "after"]);
		} finally {
			await listening.stop();
		}
	});
});
