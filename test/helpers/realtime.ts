// Real-time fixtures: apps served over real HTTP with a started hub on the file's database (or a second connection to
// it, for a second instance), torn down after each test.
import { type Logger, pino } from "pino";
import { afterEach, beforeAll, beforeEach } from "vitest";
import { buildApp } from "../../src/app.js";
import type { App } from "../../src/core/index.js";
import { type Database, type DatabaseHandle, openDatabase } from "../../src/db/index.js";
import {
	createRealtimeHub,
	type RealtimeHub,
	type RealtimeSettings,
	type SessionLiveness,
} from "../../src/realtime/hub.js";
import { createEventRoomResolver } from "../../src/services/event-rooms.js";
import { createSessionLiveness } from "../../src/services/session-liveness.js";
import { getTestDatabaseHandle, resetTestDatabase, testJobQueueOf } from "./database.js";
import { type TestClock, testClock, testConfig } from "./identity.js";

/** Short intervals so that tests see revocations and catch-ups quickly. */
export const testRealtimeSettings: RealtimeSettings = {
	replaySeconds: 300,
	maxConnectionsPerUser: 10,
	maxConnections: 1_000,
	sessionCheckMs: 100,
	catchUpMs: 250,
	pruneMs: 60_000,
};

export interface RealtimeInstance {
	app: App;
	hub: RealtimeHub;
	/** `http://127.0.0.1:<port>` */
	base: string;
	db: Database;
	stop(): Promise<void>;
}

/** One API instance: a hub on `handle`, an app using it, listening on a free port. */
export async function startRealtimeInstance(
	handle: DatabaseHandle,
	options: {
		clock?: TestClock;
		settings?: Partial<RealtimeSettings>;
		logger?: Logger;
		heartbeatMs?: number;
		maxBufferedBytes?: number;
		/** In place of the sessions table's answer (a slow one, say). */
		sessionsAlive?: SessionLiveness;
	} = {},
): Promise<RealtimeInstance> {
	const clock = options.clock ?? testClock();
	const logger = options.logger ?? pino({ level: "silent" });
	const hub = createRealtimeHub({
		handle,
		resolveRooms: createEventRoomResolver(handle.db),
		sessionsAlive: options.sessionsAlive ?? createSessionLiveness(handle.db, clock),
		settings: { ...testRealtimeSettings, ...options.settings },
		logger,
	});
	await hub.start();
	const app = buildApp({
		config: {
			...testConfig,
			REALTIME_HEARTBEAT_MS: options.heartbeatMs ?? 15_000,
			REALTIME_MAX_BUFFERED_BYTES: options.maxBufferedBytes ?? 1_048_576,
		},
		logger,
		db: handle.db,
		clock,
		jobs: testJobQueueOf((await getTestDatabaseHandle()).db),
		realtime: hub,
	});
	const { port } = await app.listen({ host: "127.0.0.1", port: 0 });
	let stopped: Promise<void> | undefined;
	return {
		app,
		hub,
		base: `http://127.0.0.1:${port}`,
		db: handle.db,
		stop: () => {
			stopped ??= (async () => {
				await app.close();
				await hub.stop();
			})();
			return stopped;
		},
	};
}

/**
 * A second connection to the file's database, as another instance would hold: a new pool on PostgreSQL; on PGlite, where
 * one process holds the database, the same handle (the fan-out is in-process there).
 */
export async function secondDatabaseHandle(): Promise<{ handle: DatabaseHandle; close: () => Promise<void> }> {
	const first = await getTestDatabaseHandle();
	if (first.driver.engine === "pglite") return { handle: first, close: async () => {} };
	const handle = await openDatabase({ DATABASE_URL: first.driver.url, DATABASE_POOL_SIZE: 4, PGLITE_DIR: "memory://" });
	return { handle, close: () => handle.close() };
}

/**
 * The usual set-up of a real-time test file: before each test an emptied database and one instance (app, hub, clock)
 * handed to `receive`; stopped after each test.
 */
export function realtimeInstancePerTest(
	receive: (fresh: RealtimeInstance & { clock: TestClock; handle: DatabaseHandle }) => void,
	options: { settings?: Partial<RealtimeSettings>; heartbeatMs?: number; maxBufferedBytes?: number } = {},
): void {
	let handle: DatabaseHandle;
	let instance: RealtimeInstance | undefined;
	beforeAll(async () => {
		handle = await getTestDatabaseHandle();
	});
	beforeEach(async () => {
		await resetTestDatabase(handle.db);
		const clock = testClock();
		instance = await startRealtimeInstance(handle, { ...options, clock });
		receive({ ...instance, clock, handle });
	});
	afterEach(async () => {
		await instance?.stop();
		instance = undefined;
	});
}
