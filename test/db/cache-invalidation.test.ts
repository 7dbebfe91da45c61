// Specification of followChanges: what every instance's caches do with a change announced on a channel, with an
// unreadable payload, and after their PostgreSQL listener lost its connection.
import { sql } from "drizzle-orm";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { type ChangeChannel, followChanges, type InvalidatedCache } from "../../src/db/cache-invalidation.js";
import { type DatabaseHandle, queryRows } from "../../src/db/index.js";
import { notify } from "../../src/db/notifications.js";
import { getTestDatabaseHandle, testEngine } from "../helpers/database.js";

const changes: ChangeChannel<{ ids: number[] }> = {
	channel: "test_cache_changes",
	cacheName: "test cache",
	parse: (payload) => (/^\d+(,\d+)*$/.test(payload) ? { ids: payload.split(",").map(Number) } : null),
};

/** A cache that writes down what it was told. */
function recordingCache() {
	const calls: Array<{ forget: number[] } | "clear"> = [];
	const cache: InvalidatedCache<{ ids: number[] }> = {
		forget: (change) => calls.push({ forget: change.ids }),
		clear: () => calls.push("clear"),
	};
	return { cache, calls };
}

let handle: DatabaseHandle;
let stop: (() => Promise<void>) | undefined;

beforeAll(async () => {
	handle = await getTestDatabaseHandle();
});

afterEach(async () => {
	await stop?.();
	stop = undefined;
});

describe("followChanges", () => {
	it("hands the cache the change a payload names", async () => {
		const { cache, calls } = recordingCache();
		stop = await followChanges(handle, changes, cache);
		await notify(handle.db, changes.channel, "3,7");
		await expect.poll(() => calls).toEqual([{ forget: [3, 7] }]);
	});

	it("empties the cache for a payload it cannot read", async () => {
		const { cache, calls } = recordingCache();
		stop = await followChanges(handle, changes, cache);
		await notify(handle.db, changes.channel, "{from another release}");
		await expect.poll(() => calls).toEqual(["clear"]);
	});

	it("hears nothing once stopped", async () => {
		const { cache, calls } = recordingCache();
		const following = await followChanges(handle, changes, cache);
		await following();
		const { cache: witness, calls: witnessed } = recordingCache();
		stop = await followChanges(handle, changes, witness);
		await notify(handle.db, changes.channel, "5");
		await expect.poll(() => witnessed).toEqual([{ forget: [5] }]);
		expect(calls).toEqual([]);
	});
});

describe.runIf(testEngine() === "postgres")("followChanges on PostgreSQL", () => {
	it("empties the cache once it listens again after its connection was cut, and keeps hearing changes", async () => {
		const { cache, calls } = recordingCache();
		stop = await followChanges(handle, changes, cache);
		const cut = await queryRows<{ cut: boolean }>(
			handle.db,
			sql`select pg_terminate_backend(pid) as cut from pg_stat_activity
				where datname = current_database() and pid <> pg_backend_pid() and query ilike ${`listen %${changes.channel}%`}`,
		);
		expect(cut.length).toBeGreaterThan(0);
		await expect.poll(() => calls, { timeout: 10_000 }).toEqual(["clear"]);
		await notify(handle.db, changes.channel, "9");
		await expect.poll(() => calls, { timeout: 5_000 }).toEqual(["clear", { forget: [9] }]);
	});
});
